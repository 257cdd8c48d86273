// An answer sent before the request's body has been read (413: too large by its Content-Length,
// or cut off at the cap) must reach the client. Closing the connection at once, with body bytes
// still arriving, makes the kernel answer them with a reset, and the reset discards the answer
// if the client has not read it yet, which a client busy sending its body usually has not (curl
// reported nothing but "100 Continue"). So the connection is not closed with the answer: the
// rest of the body is read and thrown away, up to a bound, and only a body past the bound gets
// the connection cut.
import type { IncomingMessage } from 'node:http';

export interface DrainLimits {
  /** Body bytes read and discarded after the answer before the connection is cut. */
  maxBytes: number;
  /** How long the rest of the body may take before the connection is cut. */
  maxMs: number;
}

/**
 * Call instead of `Connection: close` when answering a request whose body is still arriving.
 * If the body ends within the limits the connection stays usable (keep-alive).
 */
export function drainAfterAnswer(req: IncomingMessage, limits: DrainLimits): void {
  if (req.complete || req.socket.destroyed) return;
  let drained = 0;
  const stop = () => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', stop);
    req.socket.off('close', stop);
  };
  const cut = () => {
    stop();
    req.socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > limits.maxBytes) cut();
  };
  const timer = setTimeout(cut, limits.maxMs);
  timer.unref();
  req.on('data', onData);
  req.once('end', stop);
  req.socket.once('close', stop);
  req.resume();
}
