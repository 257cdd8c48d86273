// A response body read chunk by chunk, stopped the moment more than the limit has arrived,
// when the deadline passes, or when the consumer stops early; the socket is closed in every
// case, also when the consumer never starts reading (the deadline then closes it).
import type { Readable } from 'node:stream';
import { DocumentError } from '../../shared/errors.ts';
import type { FetchDeadline } from './fetch-deadline.ts';
import { tooLarge } from './fetch-errors.ts';

export function cappedBody(body: Readable, maxBytes: number, what: string, deadline: FetchDeadline, onClose?: () => void): AsyncIterable<Buffer> {
  let closed = false;
  const close = (reason?: Error) => {
    if (closed) return;
    closed = true;
    deadline.signal.removeEventListener('abort', onAbort);
    deadline.dispose();
    body.destroy(reason);
    onClose?.();
  };
  const onAbort = () => close(new Error('fetch aborted'));
  deadline.signal.addEventListener('abort', onAbort, { once: true });

  async function* read(): AsyncGenerator<Buffer> {
    let seen = 0;
    try {
      deadline.check(what);
      for await (const chunk of body as AsyncIterable<Buffer | Uint8Array | string>) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        seen += buf.length;
        if (seen > maxBytes) throw tooLarge(what, maxBytes, `more than ${maxBytes} bytes arrived`);
        yield buf;
      }
    } catch (e) {
      if (e instanceof DocumentError) throw e;
      throw deadline.error(e, what);
    } finally {
      close();
    }
  }
  return read();
}
