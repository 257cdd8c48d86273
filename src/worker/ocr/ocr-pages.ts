// OCR inside the parser process, after the text layer is read: each page that needs it (see
// needs-ocr.ts) is rendered by the extractor and recognised by Tesseract, one at a time, up to
// the document's page budget. A page that cannot be recognised is left without text and counted;
// the document fails only when no page of it has text at all.
import type { OcrLanguage, OcrMode } from '../../crd/ocr.ts';
import type { ErrorType } from '../../shared/errors.ts';
import type { OpenDocument } from '../extract/extractor.ts';
import { needsOcr } from './needs-ocr.ts';
import { OcrError } from './ocr-error.ts';
import { toPng } from './png.ts';
import { installedLanguages, recognize } from './tesseract.ts';

export interface OcrRequest {
  mode: OcrMode;
  languages: OcrLanguage[];
  dpi: number;
  maxPages: number;
  timeoutMs: number;
}

export type TextSource = 'native' | 'ocr' | 'none';

export interface SourcedPage {
  page: number;
  text: string;
  source: TextSource;
}

export interface OcrStats {
  /** Pages recognised (with text or not). */
  pages: number;
  /** Pages that needed OCR and did not get it: past maxPages, or their recognition failed. */
  skipped: number;
  /** Pages rendered smaller than asked, being larger than MAX_PIXELS at the resolution asked. */
  scaledDown: number;
  seconds: number;
  /** Seconds each recognised page took, rendering included. */
  pageSeconds: number[];
  /** Why no page could be recognised at all (the extractor cannot render). */
  unavailable?: string;
  /** The last page failure, naming its type: the document's error when no page has text. */
  lastFailure?: { type: ErrorType; message: string };
}

/** Largest image handed to Tesseract: a page of 24 x 24 inches at 250 dpi, twice A3 at 300. */
export const MAX_PIXELS = 36_000_000;
/** Address space of one Tesseract process. */
export const OCR_MEMORY_MIB = 1536;

export interface OcrHooks {
  /** Told how many pages will be recognised, before the first. */
  onStart(pages: number): void;
  /** The extractor's reading of a render that threw: an exhausted or trapped module is broken. */
  classify(err: unknown): { type: ErrorType; message: string };
  /** True once the extractor is no longer usable: no more page is rendered. */
  broken(): boolean;
}

export async function ocrPages(doc: OpenDocument, native: readonly { page: number; text: string }[], req: OcrRequest, hooks: OcrHooks): Promise<{ pages: SourcedPage[]; stats: OcrStats }> {
  const stats: OcrStats = { pages: 0, skipped: 0, scaledDown: 0, seconds: 0, pageSeconds: [] };
  const sourced: SourcedPage[] = native.map((p) => ({ ...p, source: p.text.trim() ? 'native' : 'none' }));
  if (req.mode === 'Off') return { pages: sourced, stats };
  if (!doc.render || !doc.imageCoverage) {
    stats.skipped = sourced.filter((p) => p.source === 'none').length;
    stats.unavailable = 'OCR renders pages with PDFium, which the pdf-parse extractor does not (spec.workers.extractor)';
    return { pages: sourced, stats };
  }
  const wanted = sourced.filter((p) => needsOcr(req.mode, p.text.trim().length, p.source === 'none' ? 1 : doc.imageCoverage!(p.page)));
  const chosen = wanted.slice(0, req.maxPages);
  stats.skipped = wanted.length - chosen.length;
  if (chosen.length === 0) return { pages: sourced, stats };
  const have = await installedLanguages();
  const missing = req.languages.filter((l) => !have.includes(l));
  if (missing.length) {
    stats.skipped += chosen.length;
    stats.lastFailure = { type: 'OcrFailed', message: have.length ? `no Tesseract data for ${missing.join(', ')} (installed: ${have.join(', ')})` : 'the OCR engine (tesseract) is not installed' };
    return { pages: sourced, stats };
  }
  hooks.onStart(chosen.length);
  for (const [i, p] of chosen.entries()) {
    if (hooks.broken()) {
      stats.skipped += chosen.length - i;
      break;
    }
    const started = process.hrtime.bigint();
    let rendered;
    try {
      rendered = doc.render(p.page, req.dpi, MAX_PIXELS, (img) => ({ png: toPng(img), dpi: img.dpi, scaledDown: img.scaledDown }));
    } catch (err) {
      stats.skipped++;
      stats.lastFailure = { type: 'OcrFailed', message: `page ${p.page} could not be rendered: ${hooks.classify(err).message}` };
      continue;
    }
    try {
      if (rendered.scaledDown) stats.scaledDown++;
      const text = await recognize(rendered.png, { languages: req.languages, dpi: rendered.dpi, timeoutMs: req.timeoutMs, memoryMiB: OCR_MEMORY_MIB });
      stats.pages++;
      stats.pageSeconds.push(Number(process.hrtime.bigint() - started) / 1e9);
      const recognised = text.replace(/\f/g, '').trim();
      // Force reads every page; a page whose text layer had more keeps it.
      if (recognised.length >= p.text.trim().length) Object.assign(p, { text: recognised, source: recognised ? 'ocr' : p.source });
    } catch (err) {
      stats.skipped++;
      stats.lastFailure = err instanceof OcrError ? { type: err.name, message: `page ${p.page}: ${err.message}` } : { type: 'OcrFailed', message: `page ${p.page}: ${(err as Error).message}` };
    } finally {
      stats.seconds += Number(process.hrtime.bigint() - started) / 1e9;
    }
  }
  return { pages: sourced, stats };
}
