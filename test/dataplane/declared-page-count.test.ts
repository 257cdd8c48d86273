// A page tree that declares an impossible page count (/Count 0 or negative) with a real page of
// text under it is a damaged PDF. pdf.js takes the count as it is: the document fails as Corrupt
// (pdftotext: "Invalid page count"), not as NoTextLayer over "-5 pages". PDFium does not: it
// counts the tree's pages itself when /Count is not positive, as viewers do, and reads the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTRACTORS } from '../../src/shared/extractor-names.ts';
import { upload, waitTerminal } from './support/client.ts';
import { prose, textPdf } from './support/pdf-factory.ts';
import { startStack, type Stack } from './support/stack.ts';

let s: Stack;
let key: string;

beforeAll(async () => {
  s = await startStack();
  key = s.keys.admin!;
});
afterAll(async () => s?.stop());

/** One page of text under a page tree whose /Count is patched to `count` (same byte length, so the xref stays right). */
async function declaringPages(count: string): Promise<Buffer> {
  const pdf = await textPdf([prose(61, 1)]);
  const text = pdf.toString('latin1');
  const at = text.indexOf('/Count 1\n');
  expect(at).toBeGreaterThan(0);
  expect(text.indexOf('/Count', at + 1)).toBe(-1);
  const patched = `/Count ${count}`.padEnd('/Count 1\n'.length, '\n');
  expect(patched.length).toBe('/Count 1\n'.length);
  return Buffer.from(text.slice(0, at) + patched + text.slice(at + '/Count 1\n'.length), 'latin1');
}

describe.each(EXTRACTORS)('a declared page count that cannot be right (extractor %s)', (extractor) => {
  // A collection of its own: the same bytes uploaded again into one collection are the same document.
  const collection = `page-count-${extractor}-${Date.now()}`;
  let stopWorker: () => Promise<void>;
  beforeAll(async () => {
    const w = await s.startWorker({ SLUICE_EXTRACTOR: extractor, SLUICE_PARSER_MEMORY_MIB: '256' });
    stopWorker = () => w.stop();
  });
  afterAll(async () => stopWorker?.());

  it.each(['0', '-5'])(`/Count %s over one page of text ${extractor === 'pdfium' ? 'is read as the one page it is' : 'fails as Corrupt'}`, async (count) => {
    const r = await upload(s.base, key, await declaringPages(count), { collection, filename: `count-${count}.pdf` });
    expect(r.status).toBe(202);
    const doc = await waitTerminal(s.base, key, r.body.document.id);
    if (extractor === 'pdfium') {
      expect(doc.state).toBe('succeeded');
      expect(doc.pages).toBe(1);
      return;
    }
    expect(doc.state).toBe('failed');
    expect(doc.error.type).toBe('Corrupt');
    expect(doc.error.message).toMatch(/page count/i);
    expect(doc.attempts).toBe(1); // permanent: not retried
  });

  it('the same PDF with its true /Count 1 succeeds (the patch is the only damage)', async () => {
    const r = await upload(s.base, key, await declaringPages('1'), { collection, filename: 'count-1.pdf' });
    expect(r.status).toBe(202);
    const doc = await waitTerminal(s.base, key, r.body.document.id);
    expect(doc.state).toBe('succeeded');
    expect(doc.pages).toBe(1);
  });
});
