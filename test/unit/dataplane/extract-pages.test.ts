// The caps and outcomes around any extractor, driven by a scripted one: the same rules for
// PDFium and pdf.js, whose own behaviour the dataplane tests cover on real PDFs.
import { describe, expect, it } from 'vitest';
import { extractPages } from '../../../src/worker/extract/extract-pages.ts';
import type { Extractor, PageText } from '../../../src/worker/extract/extractor.ts';

/** An extractor over fixed page texts that records what it was asked. */
function scripted(texts: string[], o: { totalPages?: number; openError?: Error; earlyStop?: boolean } = {}) {
  const calls: { first: number; last: number; budget: number }[] = [];
  let closed = 0;
  const extractor: Extractor = {
    name: 'pdfium',
    broken: false,
    classify: (err) => ({ type: 'Corrupt', message: `classified: ${(err as Error).message}` }),
    open: async () => {
      if (o.openError) throw o.openError;
      return {
        totalPages: o.totalPages ?? texts.length,
        pages: async (first, last, budget) => {
          calls.push({ first, last, budget });
          const out: PageText[] = [];
          let read = 0;
          for (let n = first; n <= last; n++) {
            const text = texts[n - 1] ?? '';
            // As PDFium does: a page past the budget is counted, not read.
            if (o.earlyStop && read + text.length > budget) return [...out, { page: n, text: '', chars: text.length }];
            read += text.length;
            out.push({ page: n, text, chars: text.length });
          }
          return out;
        },
        close: async () => void closed++,
      };
    },
  };
  return { extractor, calls, closed: () => closed };
}

describe('extractPages', () => {
  it('returns every page in batches of 25 and closes the document', async () => {
    const s = scripted(Array.from({ length: 60 }, (_, i) => `page ${i + 1}`));
    const r = await extractPages(s.extractor, new Uint8Array(), 100, 10_000);
    expect(r).toMatchObject({ ok: true, totalPages: 60 });
    expect(r.ok && r.pages.map((p) => p.page)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(s.calls.map((c) => [c.first, c.last])).toEqual([[1, 25], [26, 50], [51, 60]]);
    expect(s.closed()).toBe(1);
  });

  it('refuses more pages than the cap before reading any, and a declared count below 1', async () => {
    const many = scripted(['a'], { totalPages: 101 });
    expect(await extractPages(many.extractor, new Uint8Array(), 100, 10_000)).toMatchObject({ ok: false, type: 'TooManyPages', totalPages: 101 });
    expect(many.calls).toEqual([]);
    expect(await extractPages(scripted(['a'], { totalPages: 0 }).extractor, new Uint8Array(), 100, 10_000)).toMatchObject({ ok: false, type: 'Corrupt' });
  });

  it('stops at the page that passes the character cap, passing the budget left to the extractor', async () => {
    const texts = Array.from({ length: 30 }, () => 'x'.repeat(10));
    const s = scripted(texts);
    expect(await extractPages(s.extractor, new Uint8Array(), 100, 255)).toMatchObject({ ok: false, type: 'TooLarge', message: expect.stringMatching(/stopped at page 26/) });
    expect(s.calls.map((c) => c.budget)).toEqual([255, 5]);
    // An extractor that counts a page without reading it is judged by the count.
    const early = scripted(['short', 'y'.repeat(1000)], { earlyStop: true });
    expect(await extractPages(early.extractor, new Uint8Array(), 100, 500)).toMatchObject({ ok: false, type: 'TooLarge', message: expect.stringMatching(/stopped at page 2/) });
  });

  it('calls pages of whitespace only NoTextLayer', async () => {
    expect(await extractPages(scripted([' ', '\n']).extractor, new Uint8Array(), 100, 10_000)).toMatchObject({ ok: false, type: 'NoTextLayer', totalPages: 2 });
  });

  it("turns an extractor's error into its typed outcome", async () => {
    const s = scripted([], { openError: new Error('bad xref') });
    expect(await extractPages(s.extractor, new Uint8Array(), 100, 10_000)).toEqual({ ok: false, type: 'Corrupt', message: 'classified: bad xref' });
  });
});
