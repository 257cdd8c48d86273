// A document's bytes written into the byte store (document_parts) as they arrive, by an upload or
// a job's fetch: cut into parts of PART_BYTES (the last one shorter), never held whole, hashed on
// the way, and refused before any part is written unless the PDF header is in the first KiB.
//
// Parts go to PostgreSQL by COPY (PartsCopy), several per statement and commit while they come
// quickly. A COPY holds a pooled connection, so it is ended (its parts committed, its connection
// given back) once it has carried SEGMENT_BYTES, when it has been open SEGMENT_MS and others are
// waiting for a connection, or when nothing has come for IDLE_MS: a slow sender never keeps a
// connection from the others for long, a waiting upload's turn comes within about
// (waiting / pool size) x SEGMENT_MS however slow the database is, and what a sender sent is
// stored as it goes, as with one INSERT per part.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { PartsCopy } from './parts-copy.ts';

// Small enough that hundreds of concurrent uploads waiting for a database connection hold
// little memory (each buffers at most one part; TCP backpressure holds the rest).
const PART_BYTES = 256 * 1024;
const SEGMENT_BYTES = 4 * 1024 * 1024;
const SEGMENT_MS = 200;
const IDLE_MS = 50;
const MAGIC = Buffer.from('%PDF-');
const MAGIC_WINDOW = 1024;

/** True when the PDF header appears in the first KiB, as PDF readers accept it. */
export function looksLikePdf(head: Buffer): boolean {
  return head.subarray(0, MAGIC_WINDOW).indexOf(MAGIC) !== -1;
}

export interface PartWriterOptions {
  /** The error that refuses a body whose first KiB has no PDF header. */
  notPdf: () => Error;
  /** Once the header is found, before the first part is written (the upload records its row). */
  accepted?: () => Promise<void>;
}

export class PartWriter {
  /** Bytes written so far. */
  size = 0;
  readonly #pool: pg.Pool;
  readonly #id: string;
  readonly #opts: PartWriterOptions;
  readonly #hash = createHash('sha256');
  #seq = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #headChecked = false;
  #copy: { copy: PartsCopy; bytes: number; openedAt: number } | undefined;
  /** A call of write/end/commit is under way (the idle timer leaves the COPY to it then). */
  #busy = false;
  #lastCallAt = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  /** A COPY ended by the idle timer: its outcome is the next call's. */
  #closing: Promise<void> | undefined;

  constructor(pool: pg.Pool, id: string, opts: PartWriterOptions) {
    this.#pool = pool;
    this.#id = id;
    this.#opts = opts;
  }

  /**
   * Takes the next chunk: checks the head once the first KiB is in, writes a part once one is full.
   * Returns nothing when the chunk was only buffered, as most are (a part is several chunks): a
   * caller then goes on at once, with no promise, pause or resume per chunk.
   */
  write(chunk: Buffer): Promise<void> | undefined {
    this.size += chunk.length;
    this.#hash.update(chunk);
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    // Still a call for the idle timer: the writer is not quiet.
    this.#lastCallAt = performance.now();
    if (this.#headChecked ? this.#pendingBytes < PART_BYTES && !this.#closing : this.#pendingBytes < MAGIC_WINDOW) return undefined;
    return this.#run(async () => {
      if (!this.#headChecked) await this.#checkHead();
      while (this.#pendingBytes >= PART_BYTES) await this.#writePart(PART_BYTES);
    });
  }

  /** After the last chunk (callers refuse an empty body first): checks a body shorter than a KiB, writes the last part, commits. */
  async end(): Promise<{ sha256: string; size: number }> {
    await this.#run(async () => {
      if (!this.#headChecked) await this.#checkHead();
      if (this.#pendingBytes > 0) await this.#writePart(this.#pendingBytes);
      await this.#endCopy();
    });
    return { sha256: this.#hash.digest('hex'), size: this.size };
  }

  /**
   * Commits the parts sent so far and gives the COPY's connection back. Call it before waiting
   * for another connection of the same pool: a writer never holds one while it waits for one.
   */
  async commit(): Promise<void> {
    await this.#run(() => this.#endCopy());
  }

  /** Rolls back the parts of the COPY under way, if any, and drops its connection (the caller is discarding the document). */
  async abort(): Promise<void> {
    clearTimeout(this.#idleTimer);
    const open = this.#copy;
    this.#copy = undefined;
    await open?.copy.abort();
    await this.#closing?.catch(() => undefined);
  }

  async #run(fn: () => Promise<void>): Promise<void> {
    this.#busy = true;
    try {
      if (this.#closing) {
        const closing = this.#closing;
        this.#closing = undefined;
        await closing;
      }
      await fn();
    } catch (err) {
      // The COPY is of no use after a failure: nothing may hold its connection.
      await this.abort();
      throw err;
    } finally {
      this.#busy = false;
      this.#lastCallAt = performance.now();
    }
  }

  async #checkHead(): Promise<void> {
    this.#headChecked = true;
    if (!looksLikePdf(Buffer.concat(this.#pending, Math.min(this.#pendingBytes, MAGIC_WINDOW)))) throw this.#opts.notPdf();
    await this.#opts.accepted?.();
  }

  /** Writes the first `bytes` of what is pending as the next part. */
  async #writePart(bytes: number): Promise<void> {
    const chunks: Buffer[] = [];
    let need = bytes;
    while (need > 0) {
      const c = this.#pending[0]!;
      if (c.length <= need) {
        chunks.push(c);
        this.#pending.shift();
        need -= c.length;
      } else {
        chunks.push(c.subarray(0, need));
        this.#pending[0] = c.subarray(need);
        need = 0;
      }
    }
    this.#pendingBytes -= bytes;
    if (!this.#copy) {
      this.#copy = { copy: await PartsCopy.open(this.#pool, this.#id), bytes: 0, openedAt: performance.now() };
      this.#armIdleTimer(IDLE_MS);
    }
    await this.#copy.copy.write(this.#seq++, chunks, bytes);
    this.#copy.bytes += bytes;
    const yieldTurn = performance.now() - this.#copy.openedAt >= SEGMENT_MS && this.#pool.waitingCount > 0;
    if (this.#copy.bytes >= SEGMENT_BYTES || yieldTurn) await this.#endCopy();
  }

  async #endCopy(): Promise<void> {
    clearTimeout(this.#idleTimer);
    const open = this.#copy;
    this.#copy = undefined;
    await open?.copy.end();
  }

  // One timer per COPY, re-armed rather than reset on every chunk.
  #armIdleTimer(ms: number): void {
    this.#idleTimer = setTimeout(() => {
      const open = this.#copy;
      if (!open) return;
      const quiet = performance.now() - this.#lastCallAt;
      if (this.#busy || quiet < IDLE_MS) return this.#armIdleTimer(this.#busy ? IDLE_MS : IDLE_MS - quiet);
      this.#copy = undefined;
      this.#closing = open.copy.end();
      // Reported by the next call; if none comes, the parts are committed and nobody is waiting.
      this.#closing.catch(() => undefined);
    }, ms);
    this.#idleTimer.unref();
  }
}
