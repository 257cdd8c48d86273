// What the autoscaler reads from a cluster's queue (GET /v1/queue), reduced to the demand it
// scales on. Pure.
import { ocrDemand } from '../../shared/jobs/ocr-demand.ts';
import type { QueueView } from '../cluster-api/cluster-api.ts';

/** One measurement of the queue. `delayedDue`: the delayed documents whose retry time has come. */
export type QueueObservation = Pick<QueueView, 'waiting' | 'active' | 'delayed' | 'delayedDue' | 'pending' | 'expanding' | 'ocrPages' | 'workers'>;

export interface Demand {
  /** Documents ready to start: waiting, delayed-and-due, and job documents not yet dispatched (a job still being listed counts one). */
  queued: number;
  /** Documents being processed, and a document's worth for every OCR_PAGES_PER_DOCUMENT pages being recognised. */
  inFlight: number;
  /** Delayed documents not yet due: no demand yet, but the queue is not empty. */
  pending: number;
  /** Workers with at least one document in flight, by their heartbeats. */
  busy: number;
}

/**
 * The demand in one measurement. An API that does not say which delayed documents are due has all
 * of them counted as due: a retry waits at most a minute, and BullMQ only promotes a delayed
 * document while some worker runs.
 */
export function demandOf(observation: QueueObservation): Demand {
  const delayed = Math.max(0, observation.delayed);
  const due = Math.min(delayed, Math.max(0, observation.delayedDue ?? delayed));
  return {
    queued: Math.max(0, observation.waiting) + due + Math.max(0, observation.pending ?? 0) + Math.max(0, observation.expanding ?? 0),
    inFlight: Math.max(0, observation.active) + ocrDemand(observation.ocrPages ?? 0),
    pending: delayed - due,
    busy: observation.workers.filter((w) => w.busy).length,
  };
}
