// A job's state from its documents, pure so that every transition is table-tested.
import type { FailureTarget } from './failure-policy.ts';
import type { JobState } from './job-spec.ts';

export interface StateCounts {
  pending: number;
  queued: number;
  processing: number;
  succeeded: number;
  failed: number;
  skipped: number;
}

export interface SettleInput {
  state: JobState;
  suspend: boolean;
  failure: FailureTarget | null;
  /** The sources have been expanded completely for the current spec. */
  expansionDone: boolean;
  counts: StateCounts;
}

export interface Settled {
  state: JobState;
  reason: string | null;
  message: string | null;
}

export function settle(i: SettleInput): Settled {
  const c = i.counts;
  const inFlight = c.queued + c.processing;
  if (i.state === 'Failed') return { state: 'Failed', reason: i.failure?.reason ?? null, message: i.failure?.message ?? null };
  // Like a Kubernetes Job's FailureTarget: decided at once, Failed once nothing runs any more.
  if (i.failure) {
    if (inFlight === 0) return { state: 'Failed', reason: i.failure.reason, message: i.failure.message };
    return { state: i.suspend ? 'Suspended' : 'Running', reason: 'FailureTarget', message: `failing (${i.failure.reason}); waiting for ${inFlight} documents in flight` };
  }
  if (i.suspend) return { state: 'Suspended', reason: 'Suspended', message: inFlight > 0 ? `suspended; ${inFlight} documents in flight finish` : 'suspended' };
  const finished = c.succeeded + c.failed + c.skipped;
  if (i.expansionDone && c.pending + inFlight === 0) {
    return { state: 'Complete', reason: 'Completed', message: `${finished} documents: ${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped` };
  }
  return { state: 'Running', reason: null, message: `${finished} of ${finished + c.pending + inFlight} documents finished` };
}
