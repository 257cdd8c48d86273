// The parser process. pdf.js blocks its event loop for the whole parse and can be driven to
// allocate without bound, so it runs here, in a process of its own that the worker can kill
// and whose address space is capped (see parser.ts). Protocol: IPC (advanced serialization), one
// ParseRequest in, one ParseOutcome out, at a time.
import { readFileSync } from 'node:fs';
import { PDFParse } from 'pdf-parse';
import type { ErrorType } from '../shared/errors.ts';

export type ParseOutcome =
  | { ok: true; totalPages: number; pages: { page: number; text: string }[] }
  | { ok: false; type: ErrorType; message: string; totalPages?: number };

const PAGE_BATCH = 25;

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

async function parsePdf(data: Uint8Array, maxPages: number, maxChars: number): Promise<ParseOutcome> {
  const parser = new PDFParse({ data, verbosity: 0 });
  let totalPages: number | undefined;
  try {
    totalPages = (await parser.getText({ partial: [-1] })).total;
    // pdf.js takes the page tree's /Count as it is; zero or negative means a damaged tree (what
    // pdftotext calls "Invalid page count"), not a document without text.
    if (!Number.isInteger(totalPages) || totalPages < 1) {
      return { ok: false, type: 'Corrupt', message: `the PDF is damaged: invalid page count ${totalPages} in its page tree` };
    }
    if (totalPages > maxPages) return { ok: false, type: 'TooManyPages', message: `the PDF has ${totalPages} pages; the limit is ${maxPages}`, totalPages };
    const pages: { page: number; text: string }[] = [];
    let chars = 0;
    for (let first = 1; first <= totalPages; first += PAGE_BATCH) {
      const last = Math.min(totalPages, first + PAGE_BATCH - 1);
      const r = await parser.getText({ first, last, pageJoiner: '' });
      for (const p of r.pages) {
        chars += p.text.length;
        if (chars > maxChars) return { ok: false, type: 'TooLarge', message: `the PDF holds more than ${maxChars} characters of text (stopped at page ${p.num})`, totalPages };
        pages.push({ page: p.num, text: p.text });
      }
    }
    if (!pages.some((p) => p.text.trim().length > 0)) {
      return { ok: false, type: 'NoTextLayer', message: `none of the ${totalPages} pages has a text layer (scanned? OCR is not supported)`, totalPages };
    }
    return { ok: true, totalPages, pages };
  } catch (err) {
    return { ...classifyParseError(err), ok: false, ...(totalPages === undefined ? {} : { totalPages }) };
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

/** What the child sends back: the outcome and its resident set size once the parse is over. */
export type ParseReply = ParseOutcome & { rssBytes: number };

export interface ParseRequest {
  data: Uint8Array;
  maxPages: number;
  maxChars: number;
}

function vmSizeKiB(): number {
  const m = /VmSize:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}

// Long-lived: the parent sends one request at a time over IPC. Everything is loaded before
// "ready" so that the parent can cap the address space at what is mapped now plus the budget.
if (import.meta.main && process.send) {
  process.on('message', (req: ParseRequest) => {
    void parsePdf(req.data, req.maxPages, req.maxChars).then((outcome) => {
      // Measured after the parse: the parent recycles a process that a document left large.
      const reply: ParseReply = { ...outcome, rssBytes: process.memoryUsage().rss };
      process.send!(reply);
    });
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true, vmSizeKiB: vmSizeKiB(), rssBytes: process.memoryUsage().rss });
}
