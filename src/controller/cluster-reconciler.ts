// Reconciles one IngestionCluster: read it, apply every child it wants, delete every child it
// controls and no longer wants, replace the status if it changed.
// Level-triggered: it never asks why it runs, it only compares the world with the spec.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type KubernetesObject, type V1Deployment, type V1StatefulSet } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../crd/common.ts';
import type { IngestionCluster, IngestionClusterStatus } from '../crd/ingestion-cluster.ts';
import type { QueueView } from './cluster-api.ts';
import type { AutoscalerMemory } from './autoscaling/autoscaler-memory.ts';
import { builtinTurn, type BuiltinTurn } from './autoscaling/builtin-autoscaler.ts';
import { podDeletionCosts } from './autoscaling/deletion-costs.ts';
import { PruneError, type Applier } from './apply.ts';
import { isAbsent, type Absent } from './builders/absent.ts';
import { buildChildPlan } from './builders/children.ts';
import { referencedSecrets } from './builders/config.ts';
import { childName } from './builders/names.ts';
import { buildOperatorKeySecret } from './builders/operator-key.ts';
import { buildRedisAuthSecret } from './builders/redis.ts';
import { ApplyError, DeletionCostError, errorMessage, httpStatus, isConflict, StatusConflictError, StatusWriteError } from './errors.ts';
import type { EventRecorder } from './events.ts';
import type { ReconcileResult } from './controller.ts';
import type { ObjectRef } from './object-key.ts';
import type { SecretProbe } from './secrets.ts';
import type { WorkerPods } from './worker-pods.ts';
import { computeClusterStatus, type Observed } from './status/cluster-status.ts';
import { findCondition } from './status/conditions.ts';
import { stableStringify } from '../shared/stable-stringify.ts';

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
  /** Told of every Builtin decision, for metrics. */
  onDecision?(cluster: IngestionCluster, turn: BuiltinTurn): void;
}

/** How often the queue of a cluster whose API is ready is shown when no autoscaler measures it. */
export const QUEUE_POLL_MS = 15_000;

const RETRY_MISSING_SECRET_MS = 15_000;

export async function reconcileCluster(d: ClusterReconcilerDeps, { namespace, name }: ObjectRef): Promise<ReconcileResult> {
  const cluster = d.getCluster(namespace, name);
  // Gone: ownerReferences let the garbage collector remove the children.
  if (!cluster || cluster.metadata.deletionTimestamp) return {};

  const missingSecrets: Observed['missingSecrets'] = [];
  for (const ref of referencedSecrets(cluster)) {
    if (!(await d.secrets.exists(namespace, ref.name))) missingSecrets.push({ name: ref.name, field: ref.field });
  }

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
  if (turn && turn.replicas < (liveWorker?.spec?.replicas ?? 0)) await markDeletionCosts(d, cluster, turn);

  // Independent objects: apply them concurrently (the Deployments only need the ConfigMap and
  // Secrets to exist when pods start, which the kubelet retries).
  const plan = buildChildPlan(cluster, { image: d.image, ...(turn ? { builtinDesired: turn.replicas } : {}) });
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
  if (turn && turn.replicas !== turn.previous) await recordScale(d, cluster, turn);

  if (errors.length) throw errors[0];
  if (missingSecrets.length) return { requeueAfterMs: RETRY_MISSING_SECRET_MS };
  if (turn) return { requeueAfterMs: turn.nextInMs };
  return apiReady ? { requeueAfterMs: QUEUE_POLL_MS } : {};
}

/**
 * Sets every worker pod's deletion cost from the last heartbeats before replicas go down: busy
 * pods high, idle low, pods with no heartbeat lowest. If that fails, the decision is not carried
 * out (the error policy retries), since without it the ReplicaSet may remove a busy worker.
 */
async function markDeletionCosts(d: ClusterReconcilerDeps, cluster: IngestionCluster, turn: BuiltinTurn): Promise<void> {
  try {
    const pods = await d.pods.list(cluster);
    const costs = podDeletionCosts(
      pods.map((p) => p.name),
      turn.entry.queue?.workers ?? [],
    );
    const changed = Object.fromEntries(Object.entries(costs).filter(([name, cost]) => pods.find((p) => p.name === name)?.cost !== cost));
    await d.pods.setDeletionCosts(cluster, changed);
  } catch (err) {
    throw new DeletionCostError(`marking worker pods' deletion costs before scaling down: ${errorMessage(err)}`, { cause: err });
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

async function recordScale(d: ClusterReconcilerDeps, cluster: IngestionCluster, turn: BuiltinTurn): Promise<void> {
  const decision = turn.entry.decision;
  if (!decision) return;
  if (decision.reason === 'Fallback') await d.events.record(cluster, 'Warning', 'Fallback', decision.message);
  else await d.events.record(cluster, 'Normal', turn.replicas > turn.previous ? 'ScaledUp' : 'ScaledDown', decision.message);
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

/**
 * Replaces the whole status through the /status subresource (a field left out is removed, which
 * a merge patch would keep), as a JSON patch whose first operation tests the resourceVersion
 * the status was computed from.
 */
export function statusWriter(kc: KubeConfig): ClusterReconcilerDeps['writeStatus'] {
  const api = kc.makeApiClient(CustomObjectsApi);
  const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
  return async (cluster, status) => {
    try {
      await api.patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          plural: 'ingestionclusters',
          namespace: cluster.metadata.namespace!,
          name: cluster.metadata.name!,
          body: [
            { op: 'test', path: '/metadata/resourceVersion', value: cluster.metadata.resourceVersion },
            { op: 'add', path: '/status', value: status },
          ],
        },
        jsonPatch,
      );
    } catch (err) {
      if (isConflict(err)) throw new StatusConflictError(`status of ${cluster.metadata.name} changed underneath us`, { cause: err });
      throw new StatusWriteError(`writing status of ${cluster.metadata.name}: ${errorMessage(err)}`, { cause: err });
    }
  };
}
