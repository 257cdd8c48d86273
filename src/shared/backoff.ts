// Exponential backoff, one formula for every retry loop: the operator's work queue and
// informers, the worker's document retries, the embedder's request retries.

/** base, doubling per attempt (1-based), never above cap. */
export function exponentialDelay(attempt: number, baseMs: number, capMs: number): number {
  // 2^attempt overflows to Infinity long before it matters; min() caps it.
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * With "equal" jitter: between half and all of exponentialDelay, so retries spread out but never
 * come back at once.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = exponentialDelay(attempt, baseMs, capMs);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
