// A document's bytes written into the byte store (document_parts) as they arrive, by an upload or
// a job's fetch: cut into parts of at most PART_BYTES, never held whole, hashed on the way, and
// refused before any part is written unless the PDF header is in the first KiB.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { appendPart } from './documents.ts';

// Small enough that hundreds of concurrent uploads waiting for a database connection hold
// little memory (each buffers at most one part; TCP backpressure holds the rest).
const PART_BYTES = 256 * 1024;
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
  readonly #db: pg.Pool | pg.PoolClient;
  readonly #id: string;
  readonly #opts: PartWriterOptions;
  readonly #hash = createHash('sha256');
  #seq = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #headChecked = false;

  constructor(db: pg.Pool | pg.PoolClient, id: string, opts: PartWriterOptions) {
    this.#db = db;
    this.#id = id;
    this.#opts = opts;
  }

  /** Takes the next chunk: checks the head once the first KiB is in, writes a part once one is full. */
  async write(chunk: Buffer): Promise<void> {
    this.size += chunk.length;
    this.#hash.update(chunk);
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (!this.#headChecked && this.#pendingBytes >= MAGIC_WINDOW) await this.#checkHead();
    if (this.#headChecked && this.#pendingBytes >= PART_BYTES) await this.#flush();
  }

  /** After the last chunk (callers refuse an empty body first): checks a body shorter than a KiB, writes the last part. */
  async end(): Promise<{ sha256: string; size: number }> {
    if (!this.#headChecked) await this.#checkHead();
    await this.#flush();
    return { sha256: this.#hash.digest('hex'), size: this.size };
  }

  async #checkHead(): Promise<void> {
    this.#headChecked = true;
    if (!looksLikePdf(Buffer.concat(this.#pending))) throw this.#opts.notPdf();
    await this.#opts.accepted?.();
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const data = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    await appendPart(this.#db, this.#id, this.#seq++, data);
  }
}
