// An HTTP/1.1 client on a bare socket, for what fetch hides: interim responses (100 Continue),
// an answer that arrives while the body is still being sent, a reset connection.
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Status codes of the interim (1xx) responses that came before it, in order. */
  interim: number[];
}

export class RawHttp {
  readonly #sock: net.Socket;
  #received = Buffer.alloc(0);
  #error: Error | undefined;
  #ended = false;
  #waiters: (() => void)[] = [];

  private constructor(sock: net.Socket) {
    this.#sock = sock;
    sock.on('data', (c: Buffer) => {
      this.#received = Buffer.concat([this.#received, c]);
      this.#wake();
    });
    sock.on('error', (err) => {
      this.#error = err;
      this.#wake();
    });
    sock.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
  }

  static async connect(base: string): Promise<RawHttp> {
    const url = new URL(base);
    const sock = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
    return new RawHttp(sock);
  }

  /** The socket error that ended the connection, if one did (ECONNRESET, EPIPE). */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Stops (or resumes) reading from the socket: what the server sends waits in the kernel. */
  pause(): void {
    this.#sock.pause();
  }

  resume(): void {
    this.#sock.resume();
  }

  /** Writes and waits until the socket takes more; false once the connection is broken. */
  async write(data: Buffer | string): Promise<boolean> {
    if (this.#error || this.#ended || this.#sock.destroyed) return false;
    if (this.#sock.write(data)) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#sock.off('drain', done).off('close', done).off('error', done);
        resolve();
      };
      this.#sock.once('drain', done).once('close', done).once('error', done);
    });
    return !this.#error && !this.#ended;
  }

  /** The final response, once it is complete (by Content-Length); undefined if none is in yet. */
  parsed(): RawResponse | undefined {
    const text = this.#received.toString('latin1');
    const interim: number[] = [];
    let at = 0;
    for (;;) {
      const end = text.indexOf('\r\n\r\n', at);
      if (end === -1) return undefined;
      const [statusLine, ...lines] = text.slice(at, end).split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
      if (status >= 100 && status < 200) {
        interim.push(status);
        at = end + 4;
        continue;
      }
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (text.length - (end + 4) < length) return undefined;
      return { status, headers, body: text.slice(end + 4, end + 4 + length), interim };
    }
  }

  /** True once any bytes of a response have arrived. */
  get answered(): boolean {
    return this.#received.length > 0;
  }

  /** Waits for the final response; rejects if the connection ends (or `timeoutMs` passes) first. */
  async response(timeoutMs = 30_000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.parsed();
      if (r) return r;
      if (this.#ended) throw new Error(`the connection ended without a complete response (${this.#error?.message ?? 'closed'}); received ${JSON.stringify(this.#received.toString('latin1').slice(0, 200))}`);
      if (Date.now() > deadline) throw new Error(`no complete response within ${timeoutMs} ms; received ${JSON.stringify(this.#received.toString('latin1').slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits up to `ms` for the first bytes of an answer; true if they came. */
  async waitForAnswer(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.answered && !this.#ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.answered;
  }

  close(): void {
    this.#sock.destroy();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

/** The request line and headers of a multipart upload to /v1/documents. */
export function uploadHead(key: string, boundary: string, contentLength: number | undefined, extra: Record<string, string> = {}): string {
  const headers: Record<string, string> = {
    host: 'sluice.test',
    authorization: `Bearer ${key}`,
    'content-type': `multipart/form-data; boundary=${boundary}`,
    ...(contentLength === undefined ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(contentLength) }),
    ...extra,
  };
  return `POST /v1/documents HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}
