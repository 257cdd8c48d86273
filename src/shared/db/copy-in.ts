// COPY ... FROM STDIN on a pg connection, through pg's Submittable interface (as pg-cursor and
// pg-copy-streams plug in). Each CopyData message is written to the socket corked, its header
// and the caller's buffers in one writev: the bytes are neither copied into a message buffer
// first nor sent as one small TCP segment per piece.
import type { Connection, Submittable } from 'pg';

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]); // 'c', length 4

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Each is awaited only at certain points; an early failure must not count as unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class CopyIn implements Submittable {
  readonly #text: string;
  #connection: Connection | undefined;
  readonly #ready = deferred();
  readonly #done = deferred();
  #failure: Error | undefined;

  constructor(text: string) {
    this.#text = text;
  }

  /** Why the COPY failed (the server's error, or the connection's), once it has. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Resolves once the server is ready for data (CopyInResponse). */
  get ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Resolves once the server has committed the COPY (or its transaction's statement), rejects if it failed. */
  get done(): Promise<void> {
    return this.#done.promise;
  }

  /** Sends one CopyData message made of `buffers` (`bytes` in all). False: wait for drained() before the next. */
  write(buffers: readonly Buffer[], bytes: number): boolean {
    const socket = this.#socket();
    const header = Buffer.allocUnsafe(5);
    header[0] = COPY_DATA;
    header.writeUInt32BE(bytes + 4, 1);
    socket.cork();
    socket.write(header);
    let ok = true;
    for (const b of buffers) ok = socket.write(b);
    socket.uncork();
    return ok;
  }

  /** Resolves when the socket has taken what was written; rejects if the COPY fails meanwhile. */
  async drained(): Promise<void> {
    const socket = this.#socket();
    if (!socket.writableNeedDrain) return;
    await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), this.#done.promise]);
    if (this.#failure) throw this.#failure;
  }

  /** Ends the data (CopyDone); resolves once the server has stored it all. */
  async end(): Promise<void> {
    this.#socket().write(COPY_DONE);
    await this.#done.promise;
  }

  /** Abandons the COPY (CopyFail): the server rolls it back and answers with an error, which ends it. */
  fail(reason: string): void {
    const message = Buffer.from(`${reason}\0`);
    const header = Buffer.allocUnsafe(5);
    header[0] = 0x66; // 'f'
    header.writeUInt32BE(message.length + 4, 1);
    const socket = this.#socket();
    socket.cork();
    socket.write(header);
    socket.write(message);
    socket.uncork();
  }

  #socket(): Connection['stream'] {
    if (this.#failure) throw this.#failure;
    if (!this.#connection) throw new Error('the COPY has not been submitted');
    return this.#connection.stream;
  }

  // The Submittable interface, called by pg.

  submit(connection: Connection): void {
    this.#connection = connection;
    connection.query(this.#text);
  }

  /** Replaced by pg with its query_timeout timer's; called when the COPY ends, to clear it. */
  callback: (err?: Error) => void = () => undefined;

  handleCopyInResponse(): void {
    this.#ready.resolve();
  }

  handleCommandComplete(): void {
    // The row count is of no use here; ReadyForQuery follows.
  }

  handleReadyForQuery(): void {
    this.callback();
    this.#done.resolve();
  }

  handleError(err: Error): void {
    this.#failure ??= err;
    this.callback(err);
    this.#ready.reject(err);
    this.#done.reject(err);
  }
}
