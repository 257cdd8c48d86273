// Reads a document's pages through an Extractor under the page and character caps, and turns
// every way it can end into a typed outcome. The same for every extractor, so each fails a
// hostile document with the same type.
import type { ErrorType } from '../../shared/errors.ts';
import type { Extractor, PageText } from './extractor.ts';

export type ParseOutcome =
  | { ok: true; totalPages: number; pages: { page: number; text: string }[] }
  | { ok: false; type: ErrorType; message: string; totalPages?: number };

const PAGE_BATCH = 25;

export async function extractPages(extractor: Extractor, data: Uint8Array, maxPages: number, maxChars: number): Promise<ParseOutcome> {
  let totalPages: number | undefined;
  let doc;
  try {
    doc = await extractor.open(data);
    totalPages = doc.totalPages;
    // Both take the page tree's /Count as it is; zero or negative means a damaged tree (what
    // pdftotext calls "Invalid page count"), not a document without text.
    if (!Number.isInteger(totalPages) || totalPages < 1) {
      return { ok: false, type: 'Corrupt', message: `the PDF is damaged: invalid page count ${totalPages} in its page tree` };
    }
    if (totalPages > maxPages) return { ok: false, type: 'TooManyPages', message: `the PDF has ${totalPages} pages; the limit is ${maxPages}`, totalPages };
    const pages: { page: number; text: string }[] = [];
    let chars = 0;
    for (let first = 1; first <= totalPages; first += PAGE_BATCH) {
      const last = Math.min(totalPages, first + PAGE_BATCH - 1);
      const batch: PageText[] = await doc.pages(first, last, maxChars - chars);
      for (const p of batch) {
        chars += p.chars;
        if (chars > maxChars) return { ok: false, type: 'TooLarge', message: `the PDF holds more than ${maxChars} characters of text (stopped at page ${p.page})`, totalPages };
        pages.push({ page: p.page, text: p.text });
      }
    }
    if (!pages.some((p) => p.text.trim().length > 0)) {
      return { ok: false, type: 'NoTextLayer', message: `none of the ${totalPages} pages has a text layer (scanned? OCR is not supported)`, totalPages };
    }
    return { ok: true, totalPages, pages };
  } catch (err) {
    return { ...extractor.classify(err), ok: false, ...(totalPages === undefined ? {} : { totalPages }) };
  } finally {
    await doc?.close().catch(() => undefined);
  }
}
