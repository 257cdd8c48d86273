// One COPY of a document's parts into document_parts, in PostgreSQL's binary format, on a pooled
// connection held only while it lasts. Many parts travel in one statement and one commit, and
// each part goes to the socket as it came, in one CopyData message (an INSERT copied the bytes
// into its bind message first, and waited for a round trip and a commit per part).
import type pg from 'pg';
import { CopyIn } from './copy-in.ts';

const SQL = 'COPY document_parts (document_id, seq, data) FROM STDIN (FORMAT binary)';
// Signature, flags (none), header extension length (none).
const FILE_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const FILE_TRAILER = Buffer.from([0xff, 0xff]);
// Field count, then uuid, int4 and the bytea's length, each field preceded by its own length.
const ROW_HEAD_BYTES = 2 + (4 + 16) + (4 + 4) + 4;
// Past this, an abort stops waiting for the server to confirm the rollback and drops the connection.
const ABORT_WAIT_MS = 2_000;

export class PartsCopy {
  readonly #client: pg.PoolClient;
  readonly #copy: CopyIn;
  readonly #documentId: Buffer;
  #started = false;
  #released = false;
  // A connection lost while held here reaches the COPY as its failure; without a listener of
  // its own the client's 'error' event would crash the process.
  readonly #onClientError = () => undefined;

  private constructor(client: pg.PoolClient, documentId: Buffer) {
    this.#client = client;
    this.#documentId = documentId;
    client.on('error', this.#onClientError);
    this.#copy = client.query(new CopyIn(SQL));
  }

  /** Starts a COPY of `documentId`'s parts on a connection of `pool`; resolves once the server is ready for them. */
  static async open(pool: pg.Pool, documentId: string): Promise<PartsCopy> {
    const id = Buffer.from(documentId.replaceAll('-', ''), 'hex');
    if (id.length !== 16) throw new Error(`not a uuid: ${documentId}`);
    const copy = new PartsCopy(await pool.connect(), id);
    try {
      await copy.#copy.ready;
    } catch (err) {
      await copy.abort();
      throw err;
    }
    return copy;
  }

  /** Sends part `seq`, whose bytes are `chunks` (`bytes` in all); resolves once the socket has taken them. */
  async write(seq: number, chunks: readonly Buffer[], bytes: number): Promise<void> {
    const head = Buffer.allocUnsafe(ROW_HEAD_BYTES);
    let at = head.writeInt16BE(3, 0);
    at = head.writeInt32BE(16, at);
    at += this.#documentId.copy(head, at);
    at = head.writeInt32BE(4, at);
    at = head.writeInt32BE(seq, at);
    head.writeInt32BE(bytes, at);
    const prefix = this.#started ? [head] : [FILE_HEADER, head];
    const prefixBytes = this.#started ? ROW_HEAD_BYTES : FILE_HEADER.length + ROW_HEAD_BYTES;
    this.#started = true;
    if (!this.#copy.write([...prefix, ...chunks], prefixBytes + bytes)) await this.#copy.drained();
  }

  /** Ends the COPY: resolves once the server has committed every part written, then gives the connection back. */
  async end(): Promise<void> {
    try {
      this.#copy.write(this.#started ? [FILE_TRAILER] : [FILE_HEADER, FILE_TRAILER], (this.#started ? 0 : FILE_HEADER.length) + FILE_TRAILER.length);
      await this.#copy.end();
      this.#release();
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Rolls back whatever this COPY carried (CopyFail) and drops its connection. Safe to call more than once. */
  async abort(): Promise<void> {
    if (this.#released) return;
    if (!this.#copy.failure) {
      try {
        this.#copy.fail('the parts are not wanted any more');
        await Promise.race([this.#copy.done, new Promise((resolve) => setTimeout(resolve, ABORT_WAIT_MS).unref())]);
      } catch {
        // The connection is dropped below whatever happened.
      }
    }
    // Dropped rather than reused: a connection whose COPY failed or was abandoned is in no state to trust.
    this.#release(this.#copy.failure ?? new Error('COPY aborted'));
  }

  #release(err?: Error): void {
    if (this.#released) return;
    this.#released = true;
    this.#client.off('error', this.#onClientError);
    this.#client.release(err);
  }
}
