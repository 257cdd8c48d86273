// Reads a document's pages through an Extractor under the page and character caps, has the pages
// without text recognised (ocr/ocr-pages.ts), and turns every way it can end into a typed
// outcome. The same for every extractor, so each fails a hostile document with the same type.
import type { ErrorType } from '../../shared/errors.ts';
import { ocrPages, type OcrRequest, type OcrStats, type SourcedPage } from '../ocr/ocr-pages.ts';
import type { Extractor, PageText } from './extractor.ts';

export type ParseOutcome =
  | { ok: true; totalPages: number; pages: SourcedPage[]; ocr: OcrStats }
  | { ok: false; type: ErrorType; message: string; totalPages?: number };

const OCR_OFF: OcrRequest = { mode: 'Off', languages: ['eng'], dpi: 300, maxPages: 0, timeoutMs: 0 };

const PAGE_BATCH = 25;

export async function extractPages(
  extractor: Extractor,
  data: Uint8Array,
  maxPages: number,
  maxChars: number,
  ocr: OcrRequest = OCR_OFF,
  onOcrStart: (pages: number) => void = () => {},
): Promise<ParseOutcome> {
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
    const read = await ocrPages(doc, pages, ocr, { onStart: onOcrStart, classify: (err) => extractor.classify(err), broken: () => extractor.broken });
    if (!read.pages.some((p) => p.source !== 'none')) return { ok: false, ...noText(totalPages, ocr, read.stats), totalPages };
    return { ok: true, totalPages, pages: read.pages, ocr: read.stats };
  } catch (err) {
    return { ...extractor.classify(err), ok: false, ...(totalPages === undefined ? {} : { totalPages }) };
  } finally {
    await doc?.close().catch(() => undefined);
  }
}

/** Why a document has no text: OCR off, OCR failing on it, or OCR finding nothing. */
function noText(totalPages: number, ocr: OcrRequest, stats: OcrStats): { type: ErrorType; message: string } {
  const none = `none of the ${totalPages} pages has a text layer`;
  if (ocr.mode === 'Off') return { type: 'NoTextLayer', message: `${none}, and OCR is off (spec.workers.ocr.mode)` };
  if (stats.unavailable) return { type: 'NoTextLayer', message: `${none}, and ${stats.unavailable}` };
  if (stats.pages === 0 && stats.lastFailure) return { type: stats.lastFailure.type, message: `${none}, and OCR read none of them: ${stats.lastFailure.message}` };
  return { type: 'NoTextLayer', message: `${none}, and OCR recognised no text on the ${stats.pages} it read${stats.skipped ? ` (${stats.skipped} more left unread)` : ''}` };
}
