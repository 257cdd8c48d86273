// The text extractors a worker can load (worker/extract/), by the names a cluster chooses them
// with (spec.workers.extractor; test/unit/extractor-names joins the CRD's enum with this list).
export const EXTRACTORS = ['pdfium', 'pdf-parse'] as const;
export type ExtractorName = (typeof EXTRACTORS)[number];

/** PDFium: the faster of the two per core on real-world PDFs (docs/benchmarks.md). */
export const DEFAULT_EXTRACTOR: ExtractorName = 'pdfium';

export function isExtractorName(v: string): v is ExtractorName {
  return (EXTRACTORS as readonly string[]).includes(v);
}
