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

function deploymentCondition(type: string, what: string, workload: V1Deployment | undefined, suspended: boolean): ConditionInput {
  if (suspended) return { type, status: 'False', reason: 'Suspended', message: `The ${what} is scaled to zero while the cluster is suspended.` };
  if (!workload) return { type, status: 'False', reason: 'Creating', message: `The ${what} Deployment does not exist yet.` };
  const want = workload.spec?.replicas ?? 1;
  const ready = workload.status?.readyReplicas ?? 0;
  if (want === 0) return { type, status: 'True', reason: 'ScaledToZero', message: `The ${what} is scaled to zero.` };
  if (rolledOut(workload)) return { type, status: 'True', reason: 'Ready', message: `${ready}/${want} ready.` };
  return { type, status: 'False', reason: 'NotReady', message: `${ready}/${want} ready, ${plural(workload.status?.updatedReplicas ?? 0, 'pod')} updated.` };
}

export function clusterConditions(cluster: IngestionCluster, observed: Observed): ConditionInput[] {
  const suspended = cluster.spec.suspend;
  const redis = redisCondition(cluster, observed);
  const api = deploymentCondition('APIReady', 'API', observed.api, suspended);
  const workers = deploymentCondition('WorkersReady', 'worker pool', observed.worker, suspended);
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
  return [ready, redis, api, workers, suspendedCond, degraded];
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
    summary: `${activity.busy ?? 0}/${ready}`,
  };
}

/** Busy and idle by heartbeat: the last measurement stays until the next one. */
function workerActivity(queue: QueueView | undefined, previous: IngestionClusterStatus | undefined): { busy?: number; idle?: number } {
  if (!queue) return previous?.workers?.busy === undefined ? {} : { busy: previous.workers.busy, idle: previous.workers.idle ?? 0 };
  const busy = queue.workers.filter((w) => w.busy).length;
  return { busy, idle: queue.workers.length - busy };
}
