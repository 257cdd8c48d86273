// Feeds a stream's chunks, one at a time and as they came, to an async consumer, pausing the
// stream while each is consumed. `for await` reads with read(), which joins every chunk buffered
// meanwhile into a new buffer: when the database is slower than the network, a copy (and a
// garbage collection's worth of allocation) of most bytes of an upload.
import type { Readable } from 'node:stream';

/**
 * Resolves once `consume` has taken the last chunk and the stream has ended; rejects with the
 * stream's error or `consume`'s, never while a chunk is still being consumed (as `for await`).
 * A `consume` that returns nothing has taken its chunk already: the stream is not paused for it.
 */
export function eachChunk(stream: Readable, consume: (chunk: Buffer) => Promise<void> | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    // The consume under way: the outcome waits for it, and its failure wins over anything else.
    let busy: Promise<void> | undefined;
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', settle);
      stream.off('close', onClose);
      (busy ?? Promise.resolve()).then(() => (err === undefined ? resolve() : reject(err)), reject);
    };
    const onData = (chunk: Buffer) => {
      let consuming: Promise<void> | undefined;
      try {
        consuming = consume(chunk);
      } catch (err) {
        stream.pause();
        return settle(err);
      }
      if (!consuming) return;
      stream.pause();
      busy = consuming;
      consuming.then(() => {
        if (busy === consuming) busy = undefined;
        if (!settled) stream.resume();
      }, settle);
    };
    const onEnd = () => settle();
    const onClose = () => {
      if (!stream.readableEnded) settle(Object.assign(new Error('the stream closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', settle);
    stream.once('close', onClose);
  });
}
