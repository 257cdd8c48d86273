// One fetch's total time limit combined with the caller's signal, and the error that explains
// why a request stopped: our deadline (transient FetchFailed), the caller (its own reason) or
// the network.
import { networkError, timeoutError } from './fetch-errors.ts';

export class FetchDeadline {
  readonly signal: AbortSignal;
  readonly #outer: AbortSignal;
  readonly #ownController = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #timeoutMs: number;
  #timedOut = false;

  constructor(outer: AbortSignal, timeoutMs: number) {
    this.#outer = outer;
    this.#timeoutMs = timeoutMs;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#ownController.abort(new Error(`fetch deadline of ${timeoutMs} ms passed`));
    }, timeoutMs);
    this.signal = AbortSignal.any([outer, this.#ownController.signal]);
  }

  /** What to throw for `e`, which stopped a request to `what`. */
  error(e: unknown, what: string): unknown {
    if (this.#outer.aborted) return this.#outer.reason;
    if (this.#timedOut) return timeoutError(what, this.#timeoutMs, 'total');
    return networkError(e, what);
  }

  /** Throws if the fetch may not go on. */
  check(what: string): void {
    if (this.signal.aborted) throw this.error(undefined, what);
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}
