// Reconciles one IngestionCluster: read it, apply every child it wants, delete every child it
// controls and no longer wants, replace the status if it changed.
// Level-triggered: it never asks why it runs, it only compares the world with the spec.
import type { KubeConfig, KubernetesObject, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../crd/common.ts';
import type { IngestionCluster, IngestionClusterStatus } from '../../crd/ingestion-cluster.ts';
import type { QueueView } from '../cluster-api/cluster-api.ts';
import type { AutoscalerMemory } from '../autoscaling/autoscaler-memory.ts';
import { builtinTurn, type BuiltinTurn } from '../autoscaling/builtin-autoscaler.ts';
import { workerReplicasFor } from './worker-scale-down.ts';
import { PruneError, type Applier } from '../runtime/apply.ts';
import { isAbsent, type Absent } from '../builders/absent.ts';
import { buildChildPlan } from '../builders/children.ts';
import { referencedSecrets } from '../builders/config.ts';
import { childName } from '../builders/names.ts';
import { buildReplicasHandover, HANDOVER_FIELD_MANAGER } from '../builders/replicas-handover.ts';
import { buildOperatorKeySecret } from '../builders/operator-key.ts';
import { buildRedisAuthSecret } from '../builders/redis.ts';
import { ApplyError, errorMessage, httpStatus, isConflict, StatusConflictError, StatusWriteError } from '../runtime/errors.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import { JSON_PATCH, kubeRequests, objectPath } from '../runtime/kube-requests.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import type { ObjectRef } from '../runtime/object-key.ts';
import type { SecretProbe } from '../runtime/secret-probe.ts';
import type { WorkerPods } from './worker-pods.ts';
import { computeClusterStatus, type Observed } from '../status/cluster-status.ts';
import { findCondition } from '../status/conditions.ts';
import { stableStringify } from '../../shared/stable-stringify.ts';

export interface ClusterReconcilerDeps {
  getCluster(namespace: string, name: string): IngestionCluster | undefined;
  getChild(kind: string, namespace: string, name: string): KubernetesObject | undefined;
  applier: Applier;
  secrets: SecretProbe;
  writeStatus(cluster: IngestionCluster, status: IngestionClusterStatus): Promise<void>;
  events: EventRecorder;
  image: string;
  now(): Date;
  randomPassword(): string;
  /** A new operator key for a cluster's API (`sk_` and 32 random bytes in hex). */
  randomKey(): string;
  /** GET /v1/queue of the cluster's API; undefined when it cannot be asked. Never throws. */
  queue(cluster: IngestionCluster): Promise<QueueView | undefined>;
  /** The Builtin autoscaler's memory of each cluster. */
  autoscaler: AutoscalerMemory;
  pods: WorkerPods;
  /** Asks exactly these workers of the cluster to drain, through its API. Throws on failure. */
  drain(cluster: IngestionCluster, workers: readonly string[]): Promise<void>;
  /** Told of every Builtin decision, for metrics. */
  onDecision?(cluster: IngestionCluster, turn: BuiltinTurn): void;
}

/** How often the queue of a cluster whose API is ready is shown when no autoscaler measures it. */
export const QUEUE_POLL_MS = 15_000;

const RETRY_MISSING_SECRET_MS = 15_000;

export async function reconcileCluster(d: ClusterReconcilerDeps, { namespace, name }: ObjectRef): Promise<ReconcileResult> {
  const cluster = d.getCluster(namespace, name);
  // Gone: ownerReferences let the garbage collector remove the children.
  if (!cluster || cluster.metadata.deletionTimestamp) {
    d.autoscaler.forget(`${namespace}/${name}`);
    return {};
  }

  const refs = referencedSecrets(cluster);
  const found = await Promise.all(refs.map((ref) => d.secrets.exists(namespace, ref.name)));
  const missingSecrets: Observed['missingSecrets'] = refs.filter((_, i) => !found[i]).map((ref) => ({ name: ref.name, field: ref.field }));

  const applied = new Map<string, KubernetesObject>();
  const errors: (ApplyError | PruneError)[] = [];
  const apply = async (obj: KubernetesObject) => {
    const live = d.getChild(obj.kind!, namespace, obj.metadata!.name!);
    try {
      applied.set(`${obj.kind}/${obj.metadata!.name}`, await d.applier.apply(obj, live));
    } catch (err) {
      errors.push(err instanceof ApplyError ? err : new ApplyError(obj.kind!, obj.metadata!.name!, httpStatus(err), errorMessage(err)));
    }
  };

  if (cluster.spec.redis.mode === 'Managed') {
    const secret = childName(cluster, 'redis-auth');
    // Created once; re-applying would rotate the password under a running Redis.
    if (!(await d.secrets.exists(namespace, secret))) {
      await apply(buildRedisAuthSecret(cluster, d.randomPassword()));
      d.secrets.forget(namespace, secret);
    }
  }
  // The operator's key to the cluster's API: created once, never rotated under a running API.
  const keySecret = childName(cluster, 'operator-key');
  if (!(await d.secrets.exists(namespace, keySecret))) {
    await apply(buildOperatorKeySecret(cluster, d.randomKey()));
    d.secrets.forget(namespace, keySecret);
  }
  // The Builtin autoscaler's decision, measured through the API when due; before lowering the
  // workers, the pods' deletion costs make the ReplicaSet remove idle ones.
  const liveWorker = d.getChild('Deployment', namespace, childName(cluster, 'worker')) as V1Deployment | undefined;
  const liveApi = d.getChild('Deployment', namespace, childName(cluster, 'api')) as V1Deployment | undefined;
  const turn = await builtinTurn({ memory: d.autoscaler, queue: d.queue, now: d.now }, cluster, liveWorker?.spec?.replicas, (liveApi?.status?.readyReplicas ?? 0) > 0);
  const workers = turn ? await workerReplicasFor(d, cluster, turn, liveWorker?.spec?.replicas) : undefined;

  // Leaving the worker count to KEDA's HPA: first hand the live count to a manager of its own, or
  // server-side apply would drop the field and the Deployment fall back to one replica.
  const handover = buildReplicasHandover(cluster, liveWorker);
  if (handover) {
    await d.applier.applyAs(HANDOVER_FIELD_MANAGER, handover).catch((err: unknown) => {
      errors.push(err instanceof ApplyError ? err : new ApplyError('Deployment', handover.metadata!.name!, httpStatus(err), errorMessage(err)));
    });
  }

  // Independent objects: apply them concurrently (the Deployments only need the ConfigMap and
  // Secrets to exist when pods start, which the kubelet retries).
  const plan = buildChildPlan(cluster, { image: d.image, ...(workers === undefined ? {} : { builtinDesired: workers }) });
  await Promise.all(plan.filter((c) => !isAbsent(c)).map(apply));
  // Then what the spec no longer wants, once the pods' templates no longer point at it.
  const prune = async (absent: Absent) => {
    const live = d.getChild(absent.kind, namespace, absent.metadata.name);
    // Already being deleted (another's finalizer holds it): deleting again would only repeat the Event.
    if (!live || live.metadata?.deletionTimestamp || !controlledBy(live, cluster)) return;
    try {
      if (await d.applier.delete(absent, live)) await d.events.record(cluster, 'Normal', 'Pruned', `Deleted ${absent.kind} ${absent.metadata.name}: the spec no longer asks for it.`);
    } catch (err) {
      errors.push(err instanceof PruneError ? err : new PruneError(`delete ${absent.kind} ${absent.metadata.name}: ${errorMessage(err)}`, { cause: err }));
    }
  };
  await Promise.all(plan.filter(isAbsent).map(prune));

  const pick = <T extends KubernetesObject>(kind: string, component: 'redis' | 'api' | 'worker') =>
    (applied.get(`${kind}/${childName(cluster, component)}`) ?? d.getChild(kind, namespace, childName(cluster, component))) as T | undefined;
  const observed: Observed = {
    ...(cluster.spec.redis.mode === 'Managed' ? { redis: pick<V1StatefulSet>('StatefulSet', 'redis') } : {}),
    api: pick<V1Deployment>('Deployment', 'api'),
    worker: pick<V1Deployment>('Deployment', 'worker'),
    missingSecrets,
    ...(errors.length ? { applyError: errors.map((e) => e.message).join('; ') } : {}),
  };
  // The queue for `kubectl get ic`: the autoscaler's measurement, or one every QUEUE_POLL_MS once
  // the API has been seen ready.
  const apiReady = !cluster.spec.suspend && findCondition(cluster.status?.conditions, 'APIReady')?.status === 'True';
  if (turn) {
    d.autoscaler.set(turn.key, turn.entry);
    if (turn.show && turn.queue) observed.queue = turn.queue;
    observed.autoscaling = turn.show || !cluster.status?.autoscaling ? autoscalingStatus(turn) : cluster.status.autoscaling;
    if (turn.measured) d.onDecision?.(cluster, turn);
  } else {
    const queue = apiReady ? await d.queue(cluster) : undefined;
    if (queue) observed.queue = queue;
  }
  const status = computeClusterStatus(cluster, observed, d.now());
  if (stableStringify(status) !== stableStringify(cluster.status ?? {})) {
    await d.writeStatus(cluster, status);
    await recordTransitions(d, cluster, status);
  }
  if (turn && workers !== undefined && liveWorker?.spec?.replicas !== undefined && workers !== liveWorker.spec.replicas) await recordScale(d, cluster, turn, liveWorker.spec.replicas, workers);

  if (errors.length) throw errors[0];
  if (missingSecrets.length) return { requeueAfterMs: RETRY_MISSING_SECRET_MS };
  if (turn) return { requeueAfterMs: turn.nextInMs };
  return apiReady ? { requeueAfterMs: QUEUE_POLL_MS } : {};
}

/** Only what this cluster controls is ever deleted: its uid in a controller ownerReference. */
export const controlledBy = (obj: KubernetesObject, cluster: IngestionCluster): boolean =>
  obj.metadata?.ownerReferences?.some((r) => r.controller === true && r.uid === cluster.metadata.uid) ?? false;

async function recordTransitions(d: ClusterReconcilerDeps, cluster: IngestionCluster, status: IngestionClusterStatus): Promise<void> {
  for (const type of ['Ready', 'Degraded', 'Suspended']) {
    const before = findCondition(cluster.status?.conditions, type);
    const after = findCondition(status.conditions, type);
    if (!after || (before?.status === after.status && before.reason === after.reason)) continue;
    if (type === 'Ready' && after.status === 'True') await d.events.record(cluster, 'Normal', 'Ready', after.message);
    if (type === 'Degraded' && after.status === 'True') await d.events.record(cluster, 'Warning', after.reason, after.message);
    if (type === 'Degraded' && after.status === 'False' && before?.status === 'True') await d.events.record(cluster, 'Normal', 'Recovered', 'No problem detected any more.');
    if (type === 'Suspended' && before && before.status !== after.status) await d.events.record(cluster, 'Normal', after.status === 'True' ? 'Suspended' : 'Resumed', after.message);
  }
}

function autoscalingStatus(turn: BuiltinTurn): NonNullable<IngestionClusterStatus['autoscaling']> {
  const { decision, history } = turn.entry;
  return {
    mode: 'Builtin',
    ...(decision ? { reason: decision.reason, message: decision.message } : {}),
    ...(history.lastScaleTime === undefined ? {} : { lastScaleTime: new Date(history.lastScaleTime).toISOString() }),
    ...(history.lastScaleReason === undefined ? {} : { lastScaleReason: history.lastScaleReason }),
    consecutiveFailures: history.consecutiveFailures,
  };
}

async function recordScale(d: ClusterReconcilerDeps, cluster: IngestionCluster, turn: BuiltinTurn, from: number, to: number): Promise<void> {
  const decision = turn.entry.decision;
  if (decision?.reason === 'Fallback') return void (await d.events.record(cluster, 'Warning', 'Fallback', decision.message));
  const why = decision ? ` (${decision.message})` : '';
  if (to > from) await d.events.record(cluster, 'Normal', 'ScaledUp', `Workers ${from} → ${to}${why}`);
  else await d.events.record(cluster, 'Normal', 'ScaledDown', `Workers ${from} → ${to}: drained idle workers removed${why}`);
}

/**
 * Replaces the whole status through the /status subresource (a field left out is removed, which
 * a merge patch would keep), as a JSON patch whose first operation tests the resourceVersion
 * the status was computed from.
 */
export function statusWriter(kc: KubeConfig): ClusterReconcilerDeps['writeStatus'] {
  const request = kubeRequests(kc);
  return async (cluster, status) => {
    try {
      await request('PATCH', objectPath(`${GROUP}/${VERSION}`, 'ingestionclusters', cluster.metadata.namespace!, cluster.metadata.name!, 'status'), {
        contentType: JSON_PATCH,
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: cluster.metadata.resourceVersion },
          { op: 'add', path: '/status', value: status },
        ],
      });
    } catch (err) {
      if (isConflict(err)) throw new StatusConflictError(`status of ${cluster.metadata.name} changed underneath us`, { cause: err });
      throw new StatusWriteError(`writing status of ${cluster.metadata.name}: ${errorMessage(err)}`, { cause: err });
    }
  };
}
