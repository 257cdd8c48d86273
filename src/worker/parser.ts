// Runs parse-child.ts under hard limits: a wall-clock timer that SIGKILLs it, V8's heap cap, and
// RLIMIT_AS, which also bounds ArrayBuffers (decoded streams: what a Flate bomb inflates).
// Node, pdf.js and its canvas binding map several GiB of address space they never touch, so
// a fixed limit would be meaningless: the child loads everything, reports what it has mapped,
// and the parent lowers its limit to that plus the configured parser memory (prlimit --pid).
// Children are kept and reused (one document at a time each), and replaced when they die, after
// RECYCLE_AFTER documents, or after a document that left them far larger than they were at rest
// (a large PDF: pdf.js's copies of it and the heap it grew stay resident long after the parse).
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DocumentError } from '../shared/errors.ts';
import type { ParseReply, ParseRequest } from './parse-child.ts';

export interface ParserLimits {
  timeoutMs: number;
  memoryMiB: number;
  maxPages: number;
  maxChars: number;
}

export interface ParsedPdf {
  totalPages: number;
  pages: { page: number; text: string }[];
}

const CHILD = fileURLToPath(new URL(`./parse-child${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
const RECYCLE_AFTER = 200;
const MiB = 1024 * 1024;
/**
 * How far above its resting size (measured when it is ready) a process may stay after a document
 * before it is replaced: half its memory budget, at least 128 MiB. Ordinary documents level off
 * about 90 MiB above rest; a 60 MiB PDF leaves it 220 MiB above.
 */
export function recycleGrowthBytes(memoryMiB: number): number {
  return Math.max(128, memoryMiB / 2) * MiB;
}
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
  uses = 0;

  constructor(memoryMiB: number) {
    this.#child = fork(CHILD, [], {
      execArgv: [`--max-old-space-size=${Math.max(32, Math.floor(memoryMiB * 0.75))}`, '--max-semi-space-size=16', '--disable-wasm-trap-handler'],
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
      this.#child.once('message', (m: { ready?: boolean; vmSizeKiB?: number; rssBytes?: number }) => {
        this.#child.off('exit', onExit);
        if (!m.ready) return reject(new DocumentError('Unknown', 'the parser did not start'));
        this.#restingRss = m.rssBytes;
        if (!PRLIMIT) return resolve();
        const limit = ((m.vmSizeKiB ?? 0) + memoryMiB * 1024) * 1024;
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

  kill(): void {
    if (this.alive) this.#child.kill('SIGKILL');
  }

  async parse(data: Uint8Array, limits: ParserLimits, signal?: AbortSignal): Promise<ParsedPdf> {
    await this.#ready;
    this.uses++;
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        this.#child.kill('SIGKILL');
      }, limits.timeoutMs);
      const onAbort = () => this.#child.kill('SIGKILL');
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
      };
      const onMessage = (outcome: ParseReply) => {
        cleanup();
        this.#rss = outcome.rssBytes;
        if (!outcome.ok) return reject(new DocumentError(outcome.type, outcome.message));
        resolve({ totalPages: outcome.totalPages, pages: outcome.pages });
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null) => {
        cleanup();
        if (signal?.aborted) return reject(new DocumentError('Unknown', 'parsing was aborted'));
        // Let the last stderr lines arrive before classifying.
        setTimeout(() => reject(classifyChildExit(code, sig, this.#stderr, timedOut)), 20);
      };
      this.#child.on('message', onMessage);
      this.#child.on('exit', onExit);
      const req: ParseRequest = { data, maxPages: limits.maxPages, maxChars: limits.maxChars };
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
  #closed = false;

  constructor(memoryMiB: number) {
    this.#memoryMiB = memoryMiB;
    this.#recycleGrowth = recycleGrowthBytes(memoryMiB);
  }

  async parse(data: Uint8Array, limits: ParserLimits, signal?: AbortSignal): Promise<ParsedPdf> {
    let p = this.#idle.pop();
    while (p && !p.alive) p = this.#idle.pop();
    p ??= new ParserProcess(this.#memoryMiB);
    try {
      return await p.parse(data, limits, signal);
    } finally {
      const healthy = p.alive && !this.#closed;
      if (healthy && p.uses < RECYCLE_AFTER && !p.grownBeyond(this.#recycleGrowth)) this.#idle.push(p);
      else {
        p.kill();
        // Recycled rather than dead: a fresh one takes its place now, so the next document does
        // not wait for start-up (a dead one is replaced when next needed).
        if (healthy) this.#idle.push(new ParserProcess(this.#memoryMiB));
      }
    }
  }

  /** The processes waiting for a document (for tests and diagnostics). */
  get idlePids(): number[] {
    return this.#idle.flatMap((p) => (p.alive && p.pid !== undefined ? [p.pid] : []));
  }

  /** Starts `n` processes ahead of work, so the first documents do not pay for start-up. */
  warm(n: number): void {
    for (let i = this.#idle.length; i < n; i++) this.#idle.push(new ParserProcess(this.#memoryMiB));
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#idle.splice(0)) p.kill();
  }
}
