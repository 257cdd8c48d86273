// How soon to look at a job again. Pure.
import type { IngestionJobStatus } from '../../crd/ingestion-job.ts';

export const POLL_FAST_MS = 2_000;
export const POLL_SLOW_MS = 30_000;

export interface PollState {
  delayMs: number;
  /** When the next poll is due (ms since the epoch). */
  dueAt: number;
  /** The job's generation when it was last submitted and polled. */
  generation?: number | undefined;
}

/**
 * A finished job is not polled (a spec change or the resync brings it back). Otherwise poll
 * every 2 s while something moves, doubling up to 30 s while nothing does. A reconcile before
 * the poll is due (a watch event, e.g. of our own status write) is not a poll: it keeps the
 * schedule instead of backing off.
 */
export function nextPoll(phase: IngestionJobStatus['phase'], previous: PollState | undefined, moved: boolean, now: number): PollState | undefined {
  if (phase === 'Complete' || phase === 'Failed') return undefined;
  if (moved || previous === undefined) return { delayMs: POLL_FAST_MS, dueAt: now + POLL_FAST_MS };
  if (now < previous.dueAt) return previous;
  const delayMs = Math.min(POLL_SLOW_MS, previous.delayMs * 2);
  return { delayMs, dueAt: now + delayMs };
}
