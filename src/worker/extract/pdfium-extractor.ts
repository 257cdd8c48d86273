// PDFium compiled to WebAssembly (@hyzyla/pdfium) as an Extractor, driven through PDFium's C API
// directly: the package's page objects never close their pages, and its getText has no notion of
// a budget. The module is instantiated once per parser process with a memory maximum of the
// parser's budget (wasm-memory-limit.ts), so a decompression bomb fails inside the module.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PDFiumModule } from '@hyzyla/pdfium';
import type { ErrorType } from '../../shared/errors.ts';
import type { Extractor, OpenDocument, PageText } from './extractor.ts';
import { imageCoverage, renderGray, withPage, type PdfiumRenderApi } from './pdfium-render.ts';
import { mayMaskImages, type PdfiumImageApi } from './pdfium-scan-image.ts';
import { limitWasmMemory } from './wasm-memory-limit.ts';

/** The part of PDFium's C API used here (the package's type leaves some of it out). */
interface PdfiumApi extends PdfiumRenderApi, PdfiumImageApi {
  _FPDF_InitLibrary(): void;
  _FPDF_LoadMemDocument(data: number, size: number, password: number): number;
  _FPDF_GetLastError(): number;
  _FPDF_GetPageCount(doc: number): number;
  _FPDF_LoadPage(doc: number, index: number): number;
  _FPDF_ClosePage(page: number): void;
  _FPDF_CloseDocument(doc: number): void;
  _FPDFText_LoadPage(page: number): number;
  _FPDFText_ClosePage(textPage: number): void;
  _FPDFText_CountChars(textPage: number): number;
  _FPDFText_GetText(textPage: number, start: number, count: number, buffer: number): number;
  wasmExports: { malloc(size: number): number; free(ptr: number): void };
  HEAPU8: Uint8Array;
}

/** FPDF_ERR_* of fpdfview.h. */
const LOAD_ERRORS: Record<number, { type: ErrorType; message: string }> = {
  1: { type: 'Corrupt', message: 'the PDF could not be parsed (PDFium: unknown error)' },
  2: { type: 'Corrupt', message: 'the PDF could not be read (PDFium: file error)' },
  3: { type: 'Corrupt', message: 'the PDF is damaged: not in PDF format or corrupted' },
  4: { type: 'Encrypted', message: 'the PDF is password-protected' },
  5: { type: 'Encrypted', message: 'the PDF uses an unsupported security handler' },
  6: { type: 'Corrupt', message: 'the PDF is damaged: page not found or content error' },
};

export class PdfiumError extends Error {
  override name = 'PdfiumError';
  readonly type: ErrorType;
  constructor(type: ErrorType, message: string) {
    super(message);
    this.type = type;
  }
}

const utf16 = new TextDecoder('utf-16le');

export class PdfiumExtractor implements Extractor {
  readonly name = 'pdfium';
  readonly #api: PdfiumApi;
  readonly #stderr: string[];
  readonly maximumBytes: number;
  #broken = false;
  /** What the module was doing, for an abort: an exhausted heap while indexing a page's text is too much text. */
  #phase: 'load' | 'page' | 'text' | 'render' = 'load';

  private constructor(api: PdfiumApi, stderr: string[], maximumBytes: number) {
    this.#api = api;
    this.#stderr = stderr;
    this.maximumBytes = maximumBytes;
  }

  /** Instantiates PDFium with at most `memoryBytes` of WebAssembly memory. */
  static async create(memoryBytes: number): Promise<PdfiumExtractor> {
    const wasm = readFileSync(createRequire(import.meta.url).resolve('@hyzyla/pdfium/pdfium.wasm'));
    const limited = limitWasmMemory(wasm, memoryBytes);
    const stderr: string[] = [];
    const options = {
      wasmBinary: limited.binary.buffer as ArrayBuffer,
      locateFile: () => '',
      // Emscripten's messages (e.g. "Cannot enlarge memory") tell an exhausted heap from another abort.
      printErr: (line: string) => void (stderr.push(line), stderr.length > 20 && stderr.shift()),
      print: () => undefined,
    };
    const api = (await PDFiumModule(options)) as unknown as PdfiumApi;
    api._FPDF_InitLibrary();
    return new PdfiumExtractor(api, stderr, limited.maximumBytes);
  }

  get broken(): boolean {
    return this.#broken;
  }

  async open(data: Uint8Array): Promise<OpenDocument> {
    this.#stderr.length = 0;
    const api = this.#api;
    this.#phase = 'load';
    const ptr = this.#malloc(data.length);
    api.HEAPU8.set(data, ptr);
    const doc = api._FPDF_LoadMemDocument(ptr, data.length, 0);
    if (!doc) {
      const code = api._FPDF_GetLastError();
      api.wasmExports.free(ptr);
      const e = LOAD_ERRORS[code] ?? { type: 'Corrupt', message: `the PDF could not be parsed (PDFium error ${code})` };
      throw new PdfiumError(e.type, e.message);
    }
    let closed = false;
    let readImages: boolean | undefined;
    return {
      totalPages: api._FPDF_GetPageCount(doc),
      pages: async (first, last, charBudget) => this.#pages(doc, first, last, charBudget),
      imageCoverage: (n) => {
        this.#phase = 'page';
        return withPage(api, doc, n, (page) => imageCoverage(api, page));
      },
      render: (n, dpi, maxPixels, use) => {
        this.#phase = 'render';
        const read = (readImages ??= !mayMaskImages(data));
        return withPage(api, doc, n, (page) => renderGray(api, page, dpi, maxPixels, read, use));
      },
      close: async () => {
        if (closed || this.#broken) return;
        closed = true;
        api._FPDF_CloseDocument(doc);
        api.wasmExports.free(ptr);
      },
    };
  }

  #malloc(size: number): number {
    const ptr = this.#api.wasmExports.malloc(Math.max(1, size));
    if (!ptr) throw new PdfiumError('OutOfMemory', `the parser ran out of memory: ${size} bytes do not fit in its ${this.maximumBytes / 2 ** 20} MiB`);
    return ptr;
  }

  #pages(doc: number, first: number, last: number, charBudget: number): PageText[] {
    const api = this.#api;
    const out: PageText[] = [];
    let read = 0;
    for (let n = first; n <= last; n++) {
      this.#phase = 'page';
      const page = api._FPDF_LoadPage(doc, n - 1);
      if (!page) throw new PdfiumError('Corrupt', `the PDF is damaged: page ${n} could not be loaded`);
      try {
        this.#phase = 'text';
        const textPage = api._FPDFText_LoadPage(page);
        if (!textPage) throw new PdfiumError('Corrupt', `the PDF is damaged: the text of page ${n} could not be read`);
        try {
          const chars = api._FPDFText_CountChars(textPage);
          if (read + chars > charBudget) {
            out.push({ page: n, text: '', chars });
            return out;
          }
          const text = chars > 0 ? this.#text(textPage, chars) : '';
          read += text.length;
          out.push({ page: n, text, chars: text.length });
        } finally {
          api._FPDFText_ClosePage(textPage);
        }
      } finally {
        api._FPDF_ClosePage(page);
      }
    }
    return out;
  }

  #text(textPage: number, chars: number): string {
    const api = this.#api;
    const buf = this.#malloc((chars + 1) * 2);
    try {
      const written = api._FPDFText_GetText(textPage, 0, chars, buf);
      if (written <= 1) return '';
      // UTF-16LE with a terminating NUL. PDFium ends lines with CRLF, and joins a word hyphenated
      // at a line end with U+FFFE in place of its hyphen: given back as the hyphen it was, as
      // pdf.js and pdftotext do (whether it was a hyphenation or a hyphen cannot be known).
      return utf16
        .decode(api.HEAPU8.subarray(buf, buf + (written - 1) * 2))
        .replace(/\r\n?/g, '\n')
        .replace(/\uFFFE/g, '-');
    } finally {
      api.wasmExports.free(buf);
    }
  }

  classify(err: unknown): { type: ErrorType; message: string } {
    if (err instanceof PdfiumError) return { type: err.type, message: err.message };
    // A trap or abort inside the module leaves it in an unknown state.
    this.#broken = true;
    const e = err instanceof Error ? err : new Error(String(err));
    if (/Cannot enlarge memory|Attempted to grow heap|out of memory|OOM/i.test(`${this.#stderr.join('\n')}\n${e.message}`)) {
      // The page's objects were all loaded; what indexing its text allocates is per character.
      if (this.#phase === 'text') {
        return { type: 'TooLarge', message: `a page holds more characters of text than the parser's ${this.maximumBytes / 2 ** 20} MiB can index (PDFium ran out of memory reading its text)` };
      }
      return { type: 'OutOfMemory', message: `the parser exceeded its memory cap (${this.maximumBytes / 2 ** 20} MiB of WebAssembly memory): ${e.message}` };
    }
    if (e instanceof RangeError && /allocation failed|Invalid (typed )?array length|Invalid string length/i.test(e.message)) {
      return { type: 'OutOfMemory', message: `the parser ran out of memory: ${e.message}` };
    }
    return { type: 'Corrupt', message: `the PDF could not be parsed: PDFium stopped with ${e.name}: ${e.message}` };
  }
}
