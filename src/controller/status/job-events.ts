// The Events an IngestionJob's status change deserves, so `kubectl describe ij` tells its story. Pure.
import type { IngestionJobStatus } from '../../crd/ingestion-job.ts';
import { findCondition } from './conditions.ts';

export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: 'Started' | 'Suspended' | 'Resumed' | 'Completed' | 'Failed' | 'Retried';
  message: string;
}

export function jobEvents(before: IngestionJobStatus | undefined, after: IngestionJobStatus): JobEvent[] {
  const events: JobEvent[] = [];
  const was = before?.phase;
  const submitted = was !== undefined && was !== 'Pending';
  // Started once, when the API first reports a start time (a short job may be Complete by the
  // time it is first seen Running).
  if (after.startTime && !before?.startTime) {
    events.push({ type: 'Normal', reason: 'Started', message: `Started at ${after.startTime}: ${after.counts?.total ?? 0} documents.` });
  }
  const nonce = after.observedRetryNonce;
  // A new nonce on a job that had run: its failed documents were re-queued.
  if (submitted && nonce !== undefined && nonce !== before?.observedRetryNonce) {
    events.push({ type: 'Normal', reason: 'Retried', message: `Re-queued the failed documents (retryNonce "${nonce}").` });
  }
  if (after.phase === was) return events;
  const message = (type: string) => findCondition(after.conditions, type)?.message ?? '';
  switch (after.phase) {
    case 'Running':
      if (was === 'Suspended') events.push({ type: 'Normal', reason: 'Resumed', message: 'spec.suspend is false: documents start again.' });
      break;
    case 'Suspended':
      events.push({ type: 'Normal', reason: 'Suspended', message: message('Suspended') });
      break;
    case 'Complete':
      events.push({ type: 'Normal', reason: 'Completed', message: message('Complete') });
      break;
    case 'Failed': {
      const failed = findCondition(after.conditions, 'Failed');
      events.push({ type: 'Warning', reason: 'Failed', message: failed ? `${failed.reason}: ${failed.message}` : 'The job failed.' });
      break;
    }
  }
  return events;
}
