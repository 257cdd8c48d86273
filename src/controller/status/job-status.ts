// The status of an IngestionJob, from what the cluster's API reports of it. Pure.
import { ERROR_TYPES, type Condition, type ErrorType } from '../../crd/common.ts';
import type { IngestionJob, IngestionJobStatus } from '../../crd/ingestion-job.ts';
import type { JobView } from '../cluster-api/cluster-api.ts';
import { mergeConditions, type ConditionInput } from './conditions.ts';

export type ClusterReadiness =
  | { ready: true; message: string }
  | { ready: false; reason: 'ClusterNotFound' | 'ClusterNotReady' | 'APIUnavailable'; message: string };

export interface JobObservation {
  cluster: ClusterReadiness;
  /** Why the job was not submitted as specified: a reference that cannot be read, or the API refusing the spec. */
  rejected?: { reason: string; message: string };
  /** The job as the cluster's API reports it; absent when not (yet) submitted or unreachable. */
  view?: JobView;
}

const MAX_FAILURES = 20;
const MAX_MESSAGE = 1024;

/** The conditions that follow the job's state; carried over while the API cannot be asked. */
const STATE_CONDITIONS = ['Complete', 'Failed', 'Suspended', 'FailureTarget', 'SuccessCriteriaMet'];

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function stateConditions(v: JobView): ConditionInput[] {
  const { state, counts: c } = v;
  const summary = `${plural(c.succeeded, 'document')} succeeded, ${c.failed} failed, ${c.skipped} skipped of ${c.total}.`;
  const cond = (type: string, on: boolean, reason: string, message: string): ConditionInput =>
    on ? { type, status: 'True', reason, message } : { type, status: 'False', reason: state, message: `The job is ${state}.` };
  return [
    cond('Complete', state === 'Complete', 'Completed', summary),
    cond('Failed', state === 'Failed', v.reason || 'Failed', v.message || summary),
    cond('Suspended', state === 'Suspended', 'JobSuspended', 'spec.suspend is true: no document starts; those in flight finish.'),
    v.failureTarget
      ? { type: 'FailureTarget', status: 'True', reason: v.failureTarget.reason, message: v.failureTarget.message }
      : { type: 'FailureTarget', status: 'False', reason: 'WithinFailurePolicy', message: 'No reason to fail the job.' },
    cond('SuccessCriteriaMet', state === 'Complete', 'CompletionsReached', summary),
  ];
}

const PENDING: ConditionInput[] = STATE_CONDITIONS.map((type) =>
  type === 'FailureTarget'
    ? { type, status: 'False', reason: 'WithinFailurePolicy', message: 'No reason to fail the job.' }
    : { type, status: 'False', reason: 'Pending', message: 'The job has not been submitted to its cluster yet.' },
);

function carriedOver(previous: Condition[] | undefined): ConditionInput[] {
  return PENDING.map((p) => {
    const c = previous?.find((x) => x.type === p.type);
    return c ? { type: c.type, status: c.status, reason: c.reason, message: c.message } : p;
  });
}

function clusterCondition(r: ClusterReadiness): ConditionInput {
  return r.ready ? { type: 'ClusterReady', status: 'True', reason: 'ClusterReady', message: r.message } : { type: 'ClusterReady', status: 'False', reason: r.reason, message: r.message };
}

function acceptedCondition(observation: JobObservation, previous: Condition[] | undefined): ConditionInput {
  if (observation.rejected) return { type: 'Accepted', status: 'False', ...observation.rejected };
  if (observation.view) return { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'The cluster accepted the job as specified.' };
  const before = previous?.find((c) => c.type === 'Accepted');
  if (before) return { type: 'Accepted', status: before.status, reason: before.reason, message: before.message };
  return { type: 'Accepted', status: 'Unknown', reason: 'NotSubmitted', message: 'The job has not been submitted to its cluster yet.' };
}

const errorType = (t: string | null | undefined): ErrorType => (typeof t === 'string' && (ERROR_TYPES as readonly string[]).includes(t) ? (t as ErrorType) : 'Unknown');

/** The status fields that come from the API's view of the job. */
function fromView(v: JobView): Omit<IngestionJobStatus, 'conditions' | 'observedGeneration'> {
  const c = v.counts;
  const running = v.state === 'Running';
  return {
    phase: v.state,
    progress: `${c.succeeded + c.failed + c.skipped}/${c.total}`,
    counts: { total: c.total, queued: c.pending + c.queued, active: c.active, succeeded: c.succeeded, failed: c.failed, skipped: c.skipped },
    ...(v.pages !== undefined ? { pages: v.pages } : {}),
    ...(v.pagesOcr ? { pagesOcr: v.pagesOcr } : {}),
    ...(v.chunks !== undefined ? { chunks: v.chunks } : {}),
    // Only while running: a finished job's rate decays for a minute and would rewrite status.
    ...(running && typeof v.rate === 'number' ? { rate: Math.round(v.rate * 100) / 100 } : {}),
    ...(running && typeof v.etaSeconds === 'number' ? { etaSeconds: Math.max(0, Math.round(v.etaSeconds)) } : {}),
    ...(v.startTime ? { startTime: v.startTime } : {}),
    ...(v.completionTime ? { completionTime: v.completionTime } : {}),
    ...(v.retryNonce ? { observedRetryNonce: v.retryNonce } : {}),
    ...(v.embedding ? { embedding: { model: v.embedding.model, dimensions: v.embedding.dimensions } } : {}),
    ...(v.lastFailures?.length
      ? {
          lastFailures: v.lastFailures.slice(0, MAX_FAILURES).map((f) => ({
            document: f.document,
            ...(typeof f.source === 'string' ? { source: f.source } : {}),
            errorType: errorType(f.errorType),
            ...(typeof f.message === 'string' ? { message: f.message.slice(0, MAX_MESSAGE) } : {}),
            ...(typeof f.attempts === 'number' ? { attempts: f.attempts } : {}),
          })),
        }
      : {}),
  };
}

export function computeJobStatus(job: IngestionJob, observation: JobObservation, now: Date): IngestionJobStatus {
  const previous = job.status;
  const { conditions: _c, observedGeneration: _g, ...previousData } = previous ?? {};
  const data = observation.view ? fromView(observation.view) : { ...previousData, phase: previous?.phase ?? 'Pending' };
  const inputs = [...(observation.view ? stateConditions(observation.view) : carriedOver(previous?.conditions)), clusterCondition(observation.cluster), acceptedCondition(observation, previous?.conditions)];
  return {
    ...(job.metadata.generation === undefined ? {} : { observedGeneration: job.metadata.generation }),
    ...data,
    conditions: mergeConditions(previous?.conditions, inputs, job.metadata.generation, now),
  };
}
