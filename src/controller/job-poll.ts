// How soon to look at a job again. Pure.
import type { IngestionJobStatus } from '../crd/ingestion-job.ts';

export const POLL_FAST_MS = 2_000;
export const POLL_SLOW_MS = 30_000;

/**
 * A finished job is not polled (a spec change or the resync brings it back). Otherwise poll
 * every 2 s while something moves, doubling up to 30 s while nothing does.
 */
export function nextPollMs(phase: IngestionJobStatus['phase'], previousMs: number | undefined, moved: boolean): number | undefined {
  if (phase === 'Complete' || phase === 'Failed') return undefined;
  if (moved || previousMs === undefined) return POLL_FAST_MS;
  return Math.min(POLL_SLOW_MS, previousMs * 2);
}
