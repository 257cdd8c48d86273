// pdf.js (through pdf-parse) as an Extractor. pdf.js needs its CMaps (for CJK and other
// predefined encodings) and standard font data from files: without cMapUrl and
// standardFontDataUrl it drops the text of the fonts that need them, silently, page by page.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PDFParse } from 'pdf-parse';
import type { ErrorType } from '../../shared/errors.ts';
import type { Extractor, OpenDocument, PageText } from './extractor.ts';

const PDFJS_DIR = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
/** pdf.js reads these with fs in Node; a directory path with a trailing slash is what it takes. */
export const PDFJS_DATA = {
  cMapUrl: join(PDFJS_DIR, 'cmaps') + '/',
  cMapPacked: true,
  standardFontDataUrl: join(PDFJS_DIR, 'standard_fonts') + '/',
} as const;

export function classifyParseError(err: unknown): { type: ErrorType; message: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  const msg = e.message;
  if (e.name === 'PasswordException' || /password/i.test(msg)) return { type: 'Encrypted', message: 'the PDF is password-protected' };
  // Checked before the class: pdf.js wraps a RangeError from a failed allocation in its own error.
  if (/allocation failed|Invalid (typed )?array length|Invalid string length|out of memory/i.test(msg)) {
    return { type: 'OutOfMemory', message: `the parser ran out of memory: ${msg}` };
  }
  if (['InvalidPDFException', 'FormatError', 'UnknownErrorException'].includes(e.name)) return { type: 'Corrupt', message: `the PDF is damaged: ${msg}` };
  return { type: 'Corrupt', message: `the PDF could not be parsed: ${e.name}: ${msg}` };
}

export class PdfParseExtractor implements Extractor {
  readonly name = 'pdf-parse';
  readonly broken = false;

  async open(data: Uint8Array): Promise<OpenDocument> {
    const parser = new PDFParse({ data, verbosity: 0, ...PDFJS_DATA });
    try {
      const totalPages = (await parser.getText({ partial: [-1] })).total;
      return {
        totalPages,
        // pdf.js reads a batch of pages per call; the budget is checked by the caller on what it returns.
        pages: async (first, last): Promise<PageText[]> => {
          const r = await parser.getText({ first, last, pageJoiner: '' });
          return r.pages.map((p) => ({ page: p.num, text: p.text, chars: p.text.length }));
        },
        close: () => parser.destroy().catch(() => undefined),
      };
    } catch (err) {
      await parser.destroy().catch(() => undefined);
      throw err;
    }
  }

  classify(err: unknown): { type: ErrorType; message: string } {
    return classifyParseError(err);
  }
}
