// Reconciles one IngestionCluster in numbered steps (kubebuilder's CronJob tutorial style): read
// it, create its one-time Secrets, let the Builtin autoscaler decide, apply every child it wants,
// delete every child it controls and no longer wants, and replace the status if it changed.
// Level-triggered: it never asks why it runs, it only compares the world with the spec.
import type { KubernetesObject, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { stableStringify } from '../../shared/stable-stringify.ts';
import type { AutoscalerMemory } from '../autoscaling/autoscaler-memory.ts';
import { builtinTurn, type BuiltinTurn } from '../autoscaling/builtin-autoscaler.ts';
import { isAbsent } from '../builders/absent.ts';
import { buildChildPlan } from '../builders/children.ts';
import { referencedSecrets } from '../builders/config.ts';
import { buildGeneratedSecrets } from '../builders/generated-secrets.ts';
import { childName } from '../builders/names.ts';
import { buildReplicasHandover, HANDOVER_FIELD_MANAGER } from '../builders/replicas-handover.ts';
import type { QueueView } from '../cluster-api/cluster-api.ts';
import type { Applier } from '../runtime/apply.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import type { ObjectRef } from '../runtime/object-key.ts';
import type { SecretProbe } from '../runtime/secret-probe.ts';
import { autoscalingStatus } from '../status/autoscaling-status.ts';
import { computeClusterStatus, type Observed } from '../status/cluster-status.ts';
import { findCondition } from '../status/conditions.ts';
import { recordScale, recordTransitions } from './cluster-events.ts';
import type { ClusterStatusWriter } from './cluster-status-writer.ts';
import { ChildWrites } from './child-writes.ts';
import type { WorkerPods } from './worker-pods.ts';
import { workerReplicasFor } from './worker-scale-down.ts';

export interface ClusterReconcilerDeps {
  getCluster(namespace: string, name: string): IngestionCluster | undefined;
  getChild(kind: string, namespace: string, name: string): KubernetesObject | undefined;
  applier: Applier;
  secrets: SecretProbe;
  writeStatus: ClusterStatusWriter;
  events: EventRecorder;
  image: string;
  now(): Date;
  randomPassword(): string;
  /** A new operator key for a cluster's API (`sk_` and 32 random bytes in hex). */
  randomKey(): string;
  /** A new key sealing a cluster's job credentials (32 random bytes in base64). */
  randomCredentialsKey(): string;
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
/** While a referenced Secret is missing (the controller may not watch Secrets). */
const RETRY_MISSING_SECRET_MS = 15_000;

export async function reconcileCluster(deps: ClusterReconcilerDeps, { namespace, name }: ObjectRef): Promise<ReconcileResult> {
  // (1) Get the cluster. Gone or being deleted: ownerReferences let the garbage collector remove
  // the children; only the autoscaler's memory of it is the operator's to forget.
  const cluster = deps.getCluster(namespace, name);
  if (!cluster || cluster.metadata.deletionTimestamp) {
    deps.autoscaler.forget(`${namespace}/${name}`);
    return {};
  }
  const writes = new ChildWrites(deps, cluster);

  // (2) The Secrets the spec references: a missing one is a condition, not an error.
  const missingSecrets = await findMissingSecrets(deps, cluster);

  // (3) The one-time Secrets, created when they do not exist yet and never re-applied.
  for (const secret of buildGeneratedSecrets(cluster)) {
    if (await deps.secrets.exists(namespace, secret.name)) continue;
    await writes.apply(secret.build({ password: deps.randomPassword, key: deps.randomKey, credentialsKey: deps.randomCredentialsKey }));
    deps.secrets.forget(namespace, secret.name);
  }

  // (4) The Builtin autoscaler's decision, measured through the API when due; before lowering
  // the workers, the drain handshake and the pods' deletion costs make the ReplicaSet remove
  // idle ones.
  const liveWorker = deps.getChild('Deployment', namespace, childName(cluster, 'worker')) as V1Deployment | undefined;
  const liveApi = deps.getChild('Deployment', namespace, childName(cluster, 'api')) as V1Deployment | undefined;
  const apiUp = (liveApi?.status?.readyReplicas ?? 0) > 0;
  const turn = await builtinTurn({ memory: deps.autoscaler, queue: deps.queue, now: deps.now }, cluster, liveWorker?.spec?.replicas, apiUp);
  const workers = turn ? await workerReplicasFor(deps, cluster, turn, liveWorker?.spec?.replicas) : undefined;

  // (5) Leaving the worker count to KEDA's HPA: first hand the live count to a manager of its
  // own, or server-side apply would drop the field and the Deployment fall back to one replica.
  const handover = buildReplicasHandover(cluster, liveWorker);
  if (handover) await writes.applyAs(HANDOVER_FIELD_MANAGER, handover);

  // (6) Apply every child the spec wants, concurrently: the Deployments only need the
  // ConfigMap and Secrets to exist when their pods start, which the kubelet retries.
  const plan = buildChildPlan(cluster, { image: deps.image, ...(workers === undefined ? {} : { builtinDesired: workers }) });
  await Promise.all(plan.filter((c) => !isAbsent(c)).map((c) => writes.apply(c)));

  // (7) Delete what the spec no longer wants, now that the pods' templates no longer point at it.
  await Promise.all(plan.filter(isAbsent).map((a) => writes.prune(a)));

  // (8) Observe what the status is made of: the workloads as applied, and the queue (the
  // autoscaler's measurement, or one every QUEUE_POLL_MS once the API has been seen ready).
  const apiReady = !cluster.spec.suspend && findCondition(cluster.status?.conditions, 'APIReady')?.status === 'True';
  const observed: Observed = {
    ...(cluster.spec.redis.mode === 'Managed' ? { redis: writes.workload<V1StatefulSet>('StatefulSet', 'redis') } : {}),
    api: writes.workload<V1Deployment>('Deployment', 'api'),
    worker: writes.workload<V1Deployment>('Deployment', 'worker'),
    missingSecrets,
    ...(writes.errors.length ? { applyError: writes.errors.map((e) => e.message).join('; ') } : {}),
  };
  if (turn) {
    deps.autoscaler.set(turn.key, turn.entry);
    if (turn.show && turn.queue) observed.queue = turn.queue;
    observed.autoscaling = turn.show || !cluster.status?.autoscaling ? autoscalingStatus(turn) : cluster.status.autoscaling;
    if (turn.measured) deps.onDecision?.(cluster, turn);
  } else {
    const queue = apiReady ? await deps.queue(cluster) : undefined;
    if (queue) observed.queue = queue;
  }

  // (9) The status, written only when it changed, with the Events of its transitions; and the
  // Event of a scale.
  const status = computeClusterStatus(cluster, observed, deps.now());
  if (stableStringify(status) !== stableStringify(cluster.status ?? {})) {
    await deps.writeStatus(cluster, status);
    await recordTransitions(deps.events, cluster, status);
  }
  const liveReplicas = liveWorker?.spec?.replicas;
  if (turn && workers !== undefined && liveReplicas !== undefined && workers !== liveReplicas) await recordScale(deps.events, cluster, turn, liveReplicas, workers);

  // (10) When to look again: a failed write backs off (the error policy); otherwise the first
  // of a missing Secret's retry, the autoscaler's next measurement and the queue poll.
  if (writes.errors.length) throw writes.errors[0];
  if (missingSecrets.length) return { requeueAfterMs: RETRY_MISSING_SECRET_MS };
  if (turn) return { requeueAfterMs: turn.nextInMs };
  return apiReady ? { requeueAfterMs: QUEUE_POLL_MS } : {};
}

async function findMissingSecrets(deps: ClusterReconcilerDeps, cluster: IngestionCluster): Promise<Observed['missingSecrets']> {
  const refs = referencedSecrets(cluster);
  const found = await Promise.all(refs.map((ref) => deps.secrets.exists(cluster.metadata.namespace!, ref.name)));
  return refs.filter((_, i) => !found[i]).map((ref) => ({ name: ref.name, field: ref.field }));
}
