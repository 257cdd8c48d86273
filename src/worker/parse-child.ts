// The parser process. An extractor (PDFium in WebAssembly, or pdf.js) blocks the event loop for
// the whole parse and can be driven to allocate without bound, so it runs here, in a process of
// its own that the worker can kill and whose memory is capped (see parser.ts). Started as
// `parse-child.ts <extractor> <memoryMiB>`. Protocol: IPC (advanced serialization), one
// ParseRequest in, one ParseReply out, at a time (an OcrStarting in between when OCR reads pages).
import { readFileSync } from 'node:fs';
import { extractPages, type ParseOutcome } from './extract/extract-pages.ts';
import type { Extractor } from './extract/extractor.ts';
import type { OcrRequest } from './ocr/ocr-pages.ts';
import { loadExtractor } from './extract/load-extractor.ts';
import { WARM_UP_TEXT, warmUpPdf } from './extract/warm-up-pdf.ts';
import { isExtractorName } from '../shared/extractor-names.ts';

export type { ParseOutcome };
export { classifyParseError } from './extract/pdf-parse-extractor.ts';

/**
 * What the child sends back: the outcome, its resident set size once the parse is over, and
 * whether the extractor is still usable (not after a trap inside WebAssembly).
 */
export type ParseReply = ParseOutcome & { rssBytes: number; retire: boolean };

export interface ParseRequest {
  data: Uint8Array;
  maxPages: number;
  maxChars: number;
  ocr?: OcrRequest;
}

/** Sent before OCR reads a document's pages, with how many: the parent extends its timer. */
export interface OcrStarting {
  ocrStarting: number;
}

/** The first message: ready to take work (or why not), what is mapped, and the RSS at rest. */
export type ReadyMessage = { ready: true; vmSizeKiB: number; rssBytes: number } | { ready: false; error: string };

function vmSizeKiB(): number {
  const m = /VmSize:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Reads the built-in one-page PDF, so that the first real document does not pay for loading. */
export async function warmUp(extractor: Extractor): Promise<string | undefined> {
  const r = await extractPages(extractor, warmUpPdf(), 1, 10_000);
  if (!r.ok) return `the warm-up document failed: ${r.type}: ${r.message}`;
  if (!r.pages[0]?.text.includes(WARM_UP_TEXT)) return `the warm-up document read as ${JSON.stringify(r.pages[0]?.text)}`;
  return undefined;
}

// Long-lived: the parent sends one request at a time over IPC. Everything is loaded and used once
// before "ready", so that the parent can cap the address space at what is mapped now plus the budget.
if (import.meta.main && process.send) {
  const send = (m: ReadyMessage | ParseReply | OcrStarting) => process.send!(m);
  const [name = '', memoryMiB = ''] = process.argv.slice(2);
  try {
    if (!isExtractorName(name)) throw new Error(`unknown extractor ${JSON.stringify(name)}`);
    const extractor = await loadExtractor(name, Number(memoryMiB) * 1024 * 1024);
    const failed = await warmUp(extractor);
    if (failed) throw new Error(failed);
    process.on('message', (req: ParseRequest) => {
      void extractPages(extractor, req.data, req.maxPages, req.maxChars, req.ocr, (pages) => send({ ocrStarting: pages })).then((outcome) => {
        // Measured after the parse: the parent recycles a process that a document left large.
        send({ ...outcome, rssBytes: process.memoryUsage().rss, retire: extractor.broken });
      });
    });
    process.on('disconnect', () => process.exit(0));
    send({ ready: true, vmSizeKiB: vmSizeKiB(), rssBytes: process.memoryUsage().rss });
  } catch (err) {
    send({ ready: false, error: (err as Error).message });
    process.disconnect();
  }
}
