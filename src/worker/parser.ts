// Runs parse-child.ts under hard limits: a wall-clock timer that SIGKILLs it, V8's heap cap, and
// RLIMIT_AS, which also bounds ArrayBuffers (decoded streams: what a Flate bomb inflates in pdf.js).
// Node, pdf.js and its canvas binding map several GiB of address space they never touch, so
// a fixed limit would be meaningless: the child loads everything and reads a built-in PDF once
// (warm-up), reports what it has mapped, and the parent lowers its limit to that plus the
// configured parser memory (prlimit --pid). PDFium's WebAssembly memory is reserved whole at
// start-up, so RLIMIT_AS cannot bound it: its declared maximum is set to the parser memory
// instead (extract/wasm-memory-limit.ts).
// Children are kept and reused (one document at a time each), and replaced when they die, after
// RECYCLE_AFTER documents, after a document that left them far larger than they were at rest
// (a large PDF: the copies of it and the heap it grew stay resident long after the parse), or
// after a trap inside WebAssembly.
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DocumentError } from '../shared/errors.ts';
import { DEFAULT_EXTRACTOR, type ExtractorName } from '../shared/extractor-names.ts';
import type { OcrRequest, OcrStats, SourcedPage } from './ocr/ocr-pages.ts';
import type { OcrStarting, ParseReply, ParseRequest, ReadyMessage } from './parse-child.ts';

export interface ParserLimits {
  timeoutMs: number;
  memoryMiB: number;
  maxPages: number;
  maxChars: number;
  /** Pages without text to recognise; none when left out. */
  ocr?: OcrRequest;
  /** Told how many pages OCR will read; each adds its own timeout (OCR is 100x slower a page). */
  onOcrStart?(pages: number): void;
}

export interface ParsedPdf {
  totalPages: number;
  pages: SourcedPage[];
  ocr: OcrStats;
}

const CHILD = fileURLToPath(new URL(`./parse-child${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
export const RECYCLE_AFTER = 200;
const MiB = 1024 * 1024;
/**
 * How far above its resting size (measured when it is ready) a process may stay after a document
 * before it is replaced: half its memory budget, at least 128 MiB, which ordinary documents stay
 * under and a large PDF's leftovers do not.
 */
export function recycleGrowthBytes(memoryMiB: number): number {
  return Math.max(128, memoryMiB / 2) * MiB;
}
/**
 * V8 flags of a PDFium process. pdf.js instantiates WebAssembly (image decoders) after the cap is
 * set, so its processes run without the trap handler (V8 then reserves only the memory's maximum
 * instead of 8 GiB and more, which the cap would refuse); PDFium's memory is reserved before the
 * cap, and the trap handler makes it faster (bounds checks by guard pages instead of code).
 * PDFium is C++ compiled to WebAssembly: virtual calls are call_indirect, which V8 13.6 inlines
 * speculatively only when asked (on by default from V8 13.7); with a larger inlining budget it
 * parses more pages per CPU-second once its hot code has tiered up (docs/benchmarks.md).
 */
export const PDFIUM_V8_FLAGS = ['--wasm-inlining-call-indirect', '--wasm-inlining-budget=15000', '--wasm-inlining-factor=5'];
/** False where prlimit(1) is missing: then only V8's heap is capped, not decoded buffers. */
export const CAN_CAP_ADDRESS_SPACE = PRLIMIT !== undefined;
const run = promisify(execFile);

/** Classifies how a child ended when it did not deliver an outcome. */
export function classifyChildExit(code: number | null, signal: NodeJS.Signals | null, stderr: string, timedOut: boolean): DocumentError {
  if (timedOut) return new DocumentError('Timeout', 'parsing took longer than the document timeout; the parser was killed');
  if (/out of memory|allocation failed|Failed to reserve|Invalid array length|heap limit|ENOMEM/i.test(stderr) || signal === 'SIGABRT' || signal === 'SIGSEGV' || signal === 'SIGTRAP' || code === 134) {
    return new DocumentError('OutOfMemory', `the parser exceeded its memory cap (${signal ?? `exit ${code}`})`);
  }
  return new DocumentError('Unknown', `the parser exited unexpectedly (${signal ?? `exit ${code}`}): ${stderr.slice(-500)}`);
}

export class ParserProcess {
  readonly #child: ChildProcess;
  readonly #ready: Promise<void>;
  #stderr = '';
  #dead = false;
  #restingRss: number | undefined;
  #rss: number | undefined;
  #retire = false;
  uses = 0;
  readonly extractor: ExtractorName;

  constructor(memoryMiB: number, extractor: ExtractorName = DEFAULT_EXTRACTOR) {
    this.extractor = extractor;
    this.#child = fork(CHILD, [extractor, String(memoryMiB)], {
      execArgv: [
        `--max-old-space-size=${Math.max(32, Math.floor(memoryMiB * 0.75))}`,
        '--max-semi-space-size=16',
        ...(extractor === 'pdfium' ? PDFIUM_V8_FLAGS : ['--disable-wasm-trap-handler']),
      ],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.#child.stderr?.on('data', (c: Buffer) => {
      this.#stderr = (this.#stderr + c.toString()).slice(-4000);
    });
    this.#child.on('exit', () => (this.#dead = true));
    this.#child.on('error', () => (this.#dead = true));
    this.#ready = new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null, sig: NodeJS.Signals | null) => reject(classifyChildExit(code, sig, this.#stderr, false));
      this.#child.once('exit', onExit);
      this.#child.once('message', (m: ReadyMessage) => {
        this.#child.off('exit', onExit);
        if (!m.ready) return reject(new DocumentError('Unknown', `the parser did not start: ${m.error}`));
        this.#restingRss = m.rssBytes;
        if (!PRLIMIT) return resolve();
        const limit = (m.vmSizeKiB + memoryMiB * 1024) * 1024;
        run(PRLIMIT, ['--pid', String(this.#child.pid), `--as=${limit}:${limit}`]).then(
          () => resolve(),
          (err: unknown) => reject(new DocumentError('Unknown', `could not cap the parser's memory: ${(err as Error).message}`)),
        );
      });
    });
    this.#ready.catch(() => this.kill());
  }

  get alive(): boolean {
    return !this.#dead && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Resident set size when it was ready, and after its last document (bytes; unknown before). */
  get restingRss(): number | undefined {
    return this.#restingRss;
  }

  get rss(): number | undefined {
    return this.#rss;
  }

  /** True when its last document left it more than `growthBytes` above its resting size. */
  grownBeyond(growthBytes: number): boolean {
    return this.#rss !== undefined && this.#restingRss !== undefined && this.#rss - this.#restingRss > growthBytes;
  }

  /** True when its extractor said, after the last document, that it is no longer usable. */
  get mustRetire(): boolean {
    return this.#retire;
  }

  kill(): void {
    if (this.alive) this.#child.kill('SIGKILL');
  }

  async parse(data: Uint8Array, limits: ParserLimits, signal?: AbortSignal): Promise<ParsedPdf> {
    await this.#ready;
    this.uses++;
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const expire = () => {
        timedOut = true;
        this.#child.kill('SIGKILL');
      };
      let timer = setTimeout(expire, limits.timeoutMs);
      const started = Date.now();
      const onAbort = () => this.#child.kill('SIGKILL');
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
      };
      const onMessage = (outcome: ParseReply | OcrStarting) => {
        if ('ocrStarting' in outcome) {
          clearTimeout(timer);
          timer = setTimeout(expire, Math.max(0, limits.timeoutMs - (Date.now() - started)) + outcome.ocrStarting * (limits.ocr?.timeoutMs ?? 0));
          limits.onOcrStart?.(outcome.ocrStarting);
          return;
        }
        cleanup();
        this.#rss = outcome.rssBytes;
        this.#retire = outcome.retire;
        if (!outcome.ok) return reject(new DocumentError(outcome.type, outcome.message));
        resolve({ totalPages: outcome.totalPages, pages: outcome.pages, ocr: outcome.ocr });
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null) => {
        cleanup();
        if (signal?.aborted) return reject(new DocumentError('Unknown', 'parsing was aborted'));
        // Let the last stderr lines arrive before classifying.
        setTimeout(() => reject(classifyChildExit(code, sig, this.#stderr, timedOut)), 20);
      };
      this.#child.on('message', onMessage);
      this.#child.on('exit', onExit);
      const req: ParseRequest = { data, maxPages: limits.maxPages, maxChars: limits.maxChars, ...(limits.ocr ? { ocr: limits.ocr } : {}) };
      this.#child.send(req, (err) => {
        if (err) onExit(null, null);
      });
    });
  }
}

/** At most `size` parser processes, each parsing one document at a time. */
export class ParserPool {
  readonly #idle: ParserProcess[] = [];
  readonly #memoryMiB: number;
  readonly #recycleGrowth: number;
  readonly #extractor: ExtractorName;
  #closed = false;

  constructor(memoryMiB: number, extractor: ExtractorName = DEFAULT_EXTRACTOR) {
    this.#memoryMiB = memoryMiB;
    this.#recycleGrowth = recycleGrowthBytes(memoryMiB);
    this.#extractor = extractor;
  }

  #spawn(): ParserProcess {
    return new ParserProcess(this.#memoryMiB, this.#extractor);
  }

  async parse(data: Uint8Array, limits: ParserLimits, signal?: AbortSignal): Promise<ParsedPdf> {
    let p = this.#idle.pop();
    while (p && !p.alive) p = this.#idle.pop();
    p ??= this.#spawn();
    try {
      return await p.parse(data, limits, signal);
    } finally {
      const healthy = p.alive && !this.#closed;
      if (healthy && p.uses < RECYCLE_AFTER && !p.mustRetire && !p.grownBeyond(this.#recycleGrowth)) this.#idle.push(p);
      else {
        p.kill();
        // Recycled or dead (killed at the timeout, out of memory): a fresh one takes its place
        // now and warms up while nothing waits for it, so the next document does not.
        if (!this.#closed) this.#idle.push(this.#spawn());
      }
    }
  }

  /** The processes waiting for a document (for tests and diagnostics). */
  get idlePids(): number[] {
    return this.#idle.flatMap((p) => (p.alive && p.pid !== undefined ? [p.pid] : []));
  }

  /** Starts `n` processes ahead of work, so the first documents do not pay for start-up. */
  warm(n: number): void {
    for (let i = this.#idle.length; i < n; i++) this.#idle.push(this.#spawn());
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#idle.splice(0)) p.kill();
  }
}
