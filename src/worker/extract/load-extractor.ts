// Loads one extractor, and only its code: a PDFium process never loads pdf.js, nor the reverse.
import type { Extractor } from './extractor.ts';
import type { ExtractorName } from '../../shared/extractor-names.ts';

/** `memoryBytes` bounds PDFium's WebAssembly memory; pdf.js lives on V8's heap, capped apart. */
export async function loadExtractor(name: ExtractorName, memoryBytes: number): Promise<Extractor> {
  if (name === 'pdfium') return (await import('./pdfium-extractor.ts')).PdfiumExtractor.create(memoryBytes);
  return new (await import('./pdf-parse-extractor.ts')).PdfParseExtractor();
}
