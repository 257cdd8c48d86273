// A page tree that declares an impossible page count (/Count 0 or negative) with a real page of
// text under it is a damaged PDF: it fails as Corrupt (pdftotext: "Invalid page count"), not as
// NoTextLayer over "-5 pages".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload, waitTerminal } from './support/client.ts';
import { prose, textPdf } from './support/pdf-factory.ts';
import { startStack, type Stack } from './support/stack.ts';

let s: Stack;
let key: string;
const collection = `page-count-${Date.now()}`;

beforeAll(async () => {
  s = await startStack();
  key = s.keys.admin!;
  await s.startWorker({ SLUICE_PARSER_MEMORY_MIB: '256' });
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

describe('a declared page count that cannot be right', () => {
  it.each(['0', '-5'])('/Count %s over one page of text fails as Corrupt', async (count) => {
    const r = await upload(s.base, key, await declaringPages(count), { collection, filename: `count-${count}.pdf` });
    expect(r.status).toBe(202);
    const doc = await waitTerminal(s.base, key, r.body.document.id);
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
