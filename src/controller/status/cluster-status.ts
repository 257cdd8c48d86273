// The status of an IngestionCluster, computed from what its children report. Pure.
import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { IngestionCluster, IngestionClusterStatus } from '../../crd/ingestion-cluster.ts';
import { REDIS_PORT } from '../constants.ts';
import { redisHost } from '../builders/config.ts';
import { childName } from '../builders/names.ts';
import { mergeConditions, type ConditionInput } from './conditions.ts';
import type { QueueView } from '../cluster-api/cluster-api.ts';

export interface Observed {
  redis?: V1StatefulSet;
  api?: V1Deployment;
  worker?: V1Deployment;
  /** Referenced Secrets that do not exist, with the spec field that names them. */
  missingSecrets: { name: string; field: string }[];
  /** Why applying the children failed, if it did. */
  applyError?: string;
  /** The queue as the cluster's API reports it (GET /v1/queue); absent when it cannot be asked. */
  queue?: QueueView;
  /** The Builtin autoscaler's decision; absent in other modes. */
  autoscaling?: IngestionClusterStatus['autoscaling'];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function rolledOut(workload: V1Deployment | V1StatefulSet): boolean {
  const want = workload.spec?.replicas ?? 1;
  const s = workload.status;
  return (
    (s?.observedGeneration ?? 0) >= (workload.metadata?.generation ?? 0) &&
    (s?.updatedReplicas ?? 0) >= want &&
    (s?.readyReplicas ?? 0) >= want &&
    (s?.replicas ?? 0) <= want
  );
}

function redisCondition(cluster: IngestionCluster, observed: Observed): ConditionInput {
  const type = 'RedisReady';
  if (cluster.spec.redis.mode === 'External') return { type, status: 'True', reason: 'External', message: 'Using the external Redis from spec.redis.externalSecretRef.' };
  if (!observed.redis) return { type, status: 'False', reason: 'Creating', message: `StatefulSet ${childName(cluster, 'redis')} does not exist yet.` };
  if ((observed.redis.status?.readyReplicas ?? 0) >= 1) return { type, status: 'True', reason: 'Ready', message: 'Redis is ready.' };
  return { type, status: 'False', reason: 'NotReady', message: 'Redis is not ready yet.' };
}

function apiCondition(workload: V1Deployment | undefined, suspended: boolean): ConditionInput {
  const type = 'APIReady';
  if (suspended) return { type, status: 'False', reason: 'Suspended', message: 'The API is scaled to zero while the cluster is suspended.' };
  if (!workload) return { type, status: 'False', reason: 'Creating', message: 'The API Deployment does not exist yet.' };
  const want = workload.spec?.replicas ?? 1;
  const ready = workload.status?.readyReplicas ?? 0;
  if (want === 0 && ready === 0) return { type, status: 'False', reason: 'ScaledToZero', message: 'spec.api.replicas is 0: nothing serves uploads or searches.' };
  // One ready pod serves; a rollout or scale keeps the API ready as long as one does.
  if (ready >= 1) return { type, status: 'True', reason: 'Ready', message: `${ready}/${want} ready.` };
  return { type, status: 'False', reason: 'NotReady', message: `${ready}/${want} ready, ${plural(workload.status?.updatedReplicas ?? 0, 'pod')} updated.` };
}

/** Fewest ready workers with which the cluster still serves: the floor the owner of the count keeps, and one while work waits. */
export function requiredWorkers(cluster: IngestionCluster, waiting: number): number {
  const floor = cluster.spec.autoscaling.mode === 'None' ? Math.min(cluster.spec.workers.replicas, 1) : cluster.spec.autoscaling.minReplicas;
  return waiting > 0 ? Math.max(floor, 1) : floor;
}

function workersCondition(cluster: IngestionCluster, workload: V1Deployment | undefined, waiting: number): ConditionInput {
  const type = 'WorkersReady';
  if (cluster.spec.suspend) return { type, status: 'False', reason: 'Suspended', message: 'The worker pool is scaled to zero while the cluster is suspended.' };
  if (!workload) return { type, status: 'False', reason: 'Creating', message: 'The worker pool Deployment does not exist yet.' };
  const want = workload.spec?.replicas ?? 1;
  const ready = workload.status?.readyReplicas ?? 0;
  const required = requiredWorkers(cluster, waiting);
  if (ready >= required) {
    if (want === 0 && ready === 0) return { type, status: 'True', reason: 'ScaledToZero', message: 'The worker pool is scaled to zero.' };
    return { type, status: 'True', reason: 'Ready', message: `${ready}/${want} ready.` };
  }
  const why = waiting > 0 && required === 1 ? `${plural(waiting, 'document')} waiting` : `at least ${required} required`;
  return { type, status: 'False', reason: 'NotReady', message: `${ready}/${want} ready; ${why}.` };
}

/** What a Deployment is doing on its way to what it wants, if it is not there. */
function movement(what: string, workload: V1Deployment | undefined): { reason: string; message: string } | undefined {
  if (!workload || rolledOut(workload)) return undefined;
  const want = workload.spec?.replicas ?? 1;
  const s = workload.status;
  const [replicas, updated, ready] = [s?.replicas ?? 0, s?.updatedReplicas ?? 0, s?.readyReplicas ?? 0];
  const reason = updated < replicas || (s?.observedGeneration ?? 0) < (workload.metadata?.generation ?? 0) ? 'RollingOut' : replicas > want ? 'ScalingDown' : 'ScalingUp';
  return { reason, message: `${what}: ${ready}/${want} ready, ${plural(updated, 'pod')} updated.` };
}

/** A scale or rollout under way: a condition of its own, so that Ready keeps meaning "can serve". */
function scalingCondition(observed: Observed): ConditionInput {
  const type = 'Scaling';
  const moving = [movement('Workers', observed.worker), movement('API', observed.api)].filter((m) => m !== undefined);
  if (moving.length === 0) return { type, status: 'False', reason: 'Stable', message: 'The API and the workers have the pods they want.' };
  return { type, status: 'True', reason: moving[0]!.reason, message: moving.map((m) => m.message).join(' ') };
}

export function clusterConditions(cluster: IngestionCluster, observed: Observed): ConditionInput[] {
  const suspended = cluster.spec.suspend;
  // The last measurement stands while the API cannot be asked, as status.queue does.
  const waiting = observed.queue?.waiting ?? cluster.status?.queue?.waiting ?? 0;
  const redis = redisCondition(cluster, observed);
  const api = apiCondition(observed.api, suspended);
  const workers = workersCondition(cluster, observed.worker, waiting);
  const degraded: ConditionInput =
    observed.missingSecrets.length > 0
      ? {
          type: 'Degraded',
          status: 'True',
          reason: 'SecretMissing',
          message: observed.missingSecrets.map((s) => `Secret "${s.name}" referenced by ${s.field} not found`).join('; '),
        }
      : observed.applyError
        ? { type: 'Degraded', status: 'True', reason: 'ApplyFailed', message: observed.applyError }
        : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'No problem detected.' };
  const suspendedCond: ConditionInput = suspended
    ? { type: 'Suspended', status: 'True', reason: 'Suspended', message: 'spec.suspend is true: the API and workers are scaled to zero; Redis and its data are kept.' }
    : { type: 'Suspended', status: 'False', reason: 'Running', message: 'The cluster is not suspended.' };
  const blocking = [degraded.status === 'True' ? degraded : undefined, suspended ? suspendedCond : undefined, redis, api, workers].find(
    (c) => c && (c.type === 'Degraded' || c.type === 'Suspended' || c.status !== 'True'),
  );
  const ready: ConditionInput = blocking
    ? { type: 'Ready', status: 'False', reason: blocking.type === 'Degraded' || blocking.type === 'Suspended' ? blocking.reason : `${blocking.type.replace(/Ready$/, '')}NotReady`, message: blocking.message }
    : { type: 'Ready', status: 'True', reason: 'Ready', message: 'Redis, the API and the workers are ready.' };
  return [ready, redis, api, workers, scalingCondition(observed), suspendedCond, degraded];
}

export function computeClusterStatus(cluster: IngestionCluster, observed: Observed, now: Date): IngestionClusterStatus {
  const previous = cluster.status;
  const conditions = mergeConditions(previous?.conditions, clusterConditions(cluster, observed), cluster.metadata.generation, now);
  const ready = conditions[0]!;
  const degraded = conditions.find((c) => c.type === 'Degraded')!;
  const phase = cluster.spec.suspend ? 'Suspended' : degraded.status === 'True' ? 'Degraded' : ready.status === 'True' ? 'Ready' : 'Pending';
  const worker = observed.worker;
  return {
    ...(cluster.metadata.generation === undefined ? {} : { observedGeneration: cluster.metadata.generation }),
    conditions,
    phase,
    workers: workerCounts(worker, observed.queue, previous),
    // The last measurement stays until the next one (the API may be briefly unreachable).
    ...(observed.queue
      ? { queue: { waiting: observed.queue.waiting, active: observed.queue.active, delayed: observed.queue.delayed, failed: observed.queue.failed } }
      : previous?.queue
        ? { queue: previous.queue }
        : {}),
    ...(observed.autoscaling ? { autoscaling: observed.autoscaling } : {}),
    endpoints: {
      api: `http://${childName(cluster, 'api')}.${cluster.metadata.namespace}.svc:${cluster.spec.api.port}`,
      ...(cluster.spec.redis.mode === 'Managed' ? { redis: `${redisHost(cluster)}:${REDIS_PORT}` } : {}),
    },
  };
}

function workerCounts(worker: V1Deployment | undefined, queue: QueueView | undefined, previous: IngestionClusterStatus | undefined): NonNullable<IngestionClusterStatus['workers']> {
  const ready = worker?.status?.readyReplicas ?? 0;
  const activity = workerActivity(queue, previous);
  return {
    desired: worker?.spec?.replicas ?? 0,
    replicas: worker?.status?.replicas ?? 0,
    ready,
    ...activity,
    // ready/desired, as a Deployment's READY column reads; busy has its own column.
    summary: `${ready}/${worker?.spec?.replicas ?? 0}`,
  };
}

/** Busy and idle by heartbeat: the last measurement stays until the next one. */
function workerActivity(queue: QueueView | undefined, previous: IngestionClusterStatus | undefined): { busy?: number; idle?: number } {
  if (!queue) return previous?.workers?.busy === undefined ? {} : { busy: previous.workers.busy, idle: previous.workers.idle ?? 0 };
  const busy = queue.workers.filter((w) => w.busy).length;
  return { busy, idle: queue.workers.length - busy };
}
