// Reconciles one IngestionJob through its cluster's API, in numbered steps (kubebuilder's CronJob
// tutorial style). Level-triggered: every run gets the job and checks every property.
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import type { IngestionJob } from '../../crd/ingestion-job.ts';
import { specHash } from '../../shared/jobs/job-spec.ts';
import { type ClusterApi, ClusterApiError, ClusterApiUnavailable, type JobView } from '../cluster-api/cluster-api.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import { buildJobBody } from './job-request-body.ts';
import { nextPoll, type PollState } from './poll-schedule.ts';
import { resolveRefs } from './job-refs.ts';
import { hasFinalizer, type JobWriter } from './job-writer.ts';
import type { ObjectRef } from '../runtime/object-key.ts';
import { stableStringify } from '../../shared/stable-stringify.ts';
import { findCondition } from '../status/conditions.ts';
import { jobEvents } from '../status/job-events.ts';
import { computeJobStatus, type ClusterReadiness, type JobObservation } from '../status/job-status.ts';
import type { RefReader } from '../runtime/ref-reader.ts';

export interface JobReconcilerDeps {
  getJob(namespace: string, name: string): IngestionJob | undefined;
  getCluster(namespace: string, name: string): IngestionCluster | undefined;
  writer: JobWriter;
  refs: RefReader;
  /** A client of the cluster's API with the operator's key; undefined until that key exists. */
  api(cluster: IngestionCluster): Promise<ClusterApi | undefined>;
  events: Pick<EventRecorder, 'record'>;
  now(): Date;
  /** The poll schedule of each job (by namespace/name), for backing off while nothing moves. */
  polls: Map<string, PollState>;
}

/** While the cluster is missing or not ready. */
export const CLUSTER_WAIT_MS = 10_000;
/** While a referenced ConfigMap or Secret is missing (their creation is not watched). */
export const REFS_WAIT_MS = 15_000;
/** Between DELETEs while the API is still purging a job's documents. */
export const PURGE_POLL_MS = 2_000;

/** The API refused the spec itself: a condition until the spec changes, not a retry. */
const SPEC_REFUSALS = [400, 409, 413, 422];

export async function reconcileJob(deps: JobReconcilerDeps, { namespace, name }: ObjectRef): Promise<ReconcileResult> {
  // (1) Get the job. Gone: its finalizer has run, there is nothing left to do.
  const job = deps.getJob(namespace, name);
  const pollKey = `${namespace}/${name}`;
  if (!job) {
    deps.polls.delete(pollKey);
    return {};
  }
  const clusterName = job.spec.clusterRef.name;
  const found = deps.getCluster(namespace, clusterName);
  const cluster = found && !found.metadata.deletionTimestamp ? found : undefined;

  // (2) Being deleted: clean up in the cluster as deletionPolicy says, then let it go.
  if (job.metadata.deletionTimestamp) return finalize(deps, job, cluster);

  // (3) The finalizer first, so no job reaches a cluster without it. The patch's watch event
  // brings the job back.
  if (!hasFinalizer(job)) {
    await deps.writer.addFinalizer(job);
    return {};
  }

  // (4) The cluster must exist and have given the operator its key. A cluster that exists but is
  // not Ready (workers scaled to zero, Redis restarting, pods not scheduled) is shown in
  // ClusterReady, not waited for: its API answering is what a job needs, and a running job's
  // progress must not freeze because one component blinked.
  const readiness = clusterReadiness(job, cluster);
  const api = cluster ? await deps.api(cluster) : undefined;
  if (!api) {
    const waiting: ClusterReadiness = cluster ? { ready: false, reason: 'ClusterNotReady', message: `IngestionCluster "${clusterName}" has no operator key Secret yet.` } : readiness;
    await updateStatus(deps, job, { cluster: waiting });
    return { requeueAfterMs: CLUSTER_WAIT_MS };
  }

  // (5) Not due yet: a watch event (our own status write, the cluster's status every 15 s)
  // before the next poll, for a spec already submitted, keeps the schedule without calling the
  // API. Otherwise each status write would bring a poll that writes status again, as fast as the
  // round trip.
  const polled = deps.polls.get(pollKey);
  const nowMs = deps.now().getTime();
  if (polled && nowMs < polled.dueAt && polled.generation === job.metadata.generation) return { requeueAfterMs: polled.dueAt - nowMs };

  // (6) Resolve the references of the sources.
  const resolved = await resolveRefs(job, deps.refs);
  if (!resolved.ok) {
    await updateStatus(deps, job, { cluster: readiness, rejected: { reason: resolved.reason, message: resolved.message } });
    return { requeueAfterMs: REFS_WAIT_MS };
  }

  // (7) Submit: PUT when the API has no such job or a different spec.
  let view: JobView;
  try {
    view = await submit(api, job.metadata.uid!, buildJobBody(job, resolved.refs));
  } catch (err) {
    if (err instanceof ClusterApiError && SPEC_REFUSALS.includes(err.status)) {
      await updateStatus(deps, job, { cluster: readiness, rejected: { reason: conditionReason(err.code, 'Refused'), message: err.message } });
      return {};
    }
    if (err instanceof ClusterApiUnavailable) await updateStatus(deps, job, { cluster: { ready: false, reason: 'APIUnavailable', message: err.message } });
    throw err;
  }

  // (8) Status from the API's view, written only when it changed.
  const moved = await updateStatus(deps, job, { cluster: readiness, view });

  // (9) Poll a running job, faster while it moves; a finished one not at all.
  const next = nextPoll(view.state, polled, moved, nowMs);
  if (next === undefined) {
    deps.polls.delete(pollKey);
    return {};
  }
  deps.polls.set(pollKey, { ...next, generation: job.metadata.generation });
  return { requeueAfterMs: next.dueAt - nowMs };
}

/** The API's error code as a condition reason, when it is one (CamelCase, as the schema wants). */
const conditionReason = (code: string | undefined, fallback: string) => (code && /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/.test(code) ? code : fallback);

function clusterReadiness(job: IngestionJob, cluster: IngestionCluster | undefined): ClusterReadiness {
  const name = job.spec.clusterRef.name;
  if (!cluster) return { ready: false, reason: 'ClusterNotFound', message: `IngestionCluster "${name}" not found in namespace ${job.metadata.namespace}.` };
  const ready = findCondition(cluster.status?.conditions, 'Ready');
  if (ready?.status !== 'True') {
    return { ready: false, reason: 'ClusterNotReady', message: `IngestionCluster "${name}" is not ready${ready ? `: ${ready.reason}: ${ready.message}` : ' yet.'}` };
  }
  return { ready: true, message: `IngestionCluster "${name}" is ready.` };
}

async function submit(api: ClusterApi, id: string, body: ReturnType<typeof buildJobBody>): Promise<JobView> {
  const current = await api.getJob(id);
  if (current && current.specHash === specHash(body)) return current;
  return api.putJob(id, body);
}

/** Computes the status; writes it and records Events only when it changed. True if it did. */
async function updateStatus(deps: JobReconcilerDeps, job: IngestionJob, observation: JobObservation): Promise<boolean> {
  const status = computeJobStatus(job, observation, deps.now());
  if (stableStringify(status) === stableStringify(job.status ?? {})) return false;
  await deps.writer.writeStatus(job, status);
  for (const e of jobEvents(job.status, status)) await deps.events.record(job, e.type, e.reason, e.message);
  return true;
}

async function finalize(deps: JobReconcilerDeps, job: IngestionJob, cluster: IngestionCluster | undefined): Promise<ReconcileResult> {
  if (!hasFinalizer(job)) return {};
  const purge = job.spec.deletionPolicy === 'Delete';
  const api = cluster && (await deps.api(cluster));
  if (!api) {
    // Nothing to clean up through: do not hold the deletion hostage.
    const why = cluster ? `IngestionCluster "${cluster.metadata.name}" has no operator key Secret` : `IngestionCluster "${job.spec.clusterRef.name}" no longer exists`;
    await deps.events.record(job, 'Warning', 'CleanupSkipped', `${why}: released the finalizer without removing the job's records${purge ? ', documents and chunks' : ''} from the cluster.`);
    await deps.writer.removeFinalizer(job);
    return {};
  }
  const outcome = await api.deleteJob(job.metadata.uid!, purge);
  if (!outcome.done) return { requeueAfterMs: PURGE_POLL_MS };
  await deps.writer.removeFinalizer(job);
  return {};
}
