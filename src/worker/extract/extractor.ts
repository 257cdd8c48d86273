// What a text extractor is to the parser process: open a document, read its pages' text, close
// it. Two stand behind it, chosen per cluster (spec.workers.extractor): PDFium compiled to
// WebAssembly and pdf.js (through pdf-parse). Both run only inside the limited parser process
// (parser.ts); the caps and the typed outcome are applied around them (extract-pages.ts).
import type { ErrorType } from '../../shared/errors.ts';
import type { ExtractorName } from '../../shared/extractor-names.ts';

export interface PageText {
  /** 1-based page number. */
  page: number;
  text: string;
  /**
   * Characters on the page. Equal to text.length, except on a page that alone would pass the
   * character budget: its text is not read (left empty) and this says how much there was.
   */
  chars: number;
}

export interface OpenDocument {
  /** The page count the document declares (may be zero or negative in a damaged one). */
  readonly totalPages: number;
  /**
   * The text of pages first..last (1-based, inclusive), in order. May stop after the first page
   * that takes the characters read past charBudget; that page is the last returned.
   */
  pages(first: number, last: number, charBudget: number): Promise<PageText[]>;
  /**
   * What share of the page (0 to 1) its images cover, to tell a scanned page from one with a
   * logo. Absent where the extractor cannot render, and so cannot have a page recognised.
   */
  imageCoverage?(page: number): number;
  /**
   * The page in 8-bit gray at `dpi`, scaled down to at most `maxPixels` pixels, handed to `use`:
   * its rows live in the extractor's memory, valid only during the call.
   */
  render?<T>(page: number, dpi: number, maxPixels: number, use: (page: RenderedPage) => T): T;
  close(): Promise<void>;
}

export interface RenderedPage {
  width: number;
  height: number;
  /**
   * Rows top to bottom, each a 0 byte (PNG's filter type None) and then `width` bytes of gray:
   * what a PNG deflates, so that no copy is made of a page (8.4 MB at 300 dpi).
   */
  rows: Uint8Array;
  /** The page at the resolution asked would have had more than `maxPixels` pixels. */
  scaledDown: boolean;
  /** The resolution it was rendered at: the one asked, or less when scaled down. */
  dpi: number;
  /** Read from the page's one image, a scan at that resolution, rather than rendered. */
  fromImage: boolean;
}

export interface Extractor {
  readonly name: ExtractorName;
  open(data: Uint8Array): Promise<OpenDocument>;
  /** The taxonomy type of an error thrown by open() or pages(). */
  classify(err: unknown): { type: ErrorType; message: string };
  /** True once an error has left the extractor unusable: the process must be replaced. */
  readonly broken: boolean;
}
