// One reconcile's turn of the Builtin autoscaler: measure the cluster's queue through its API when
// a measurement is due (every pollingIntervalSeconds), decide with desiredWorkers, and say what
// status should show. Between measurements the last decision stands, so the many reconciles
// that other events bring cost no measurement.
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import type { QueueView } from '../cluster-api/cluster-api.ts';
import type { AutoscalerEntry, AutoscalerMemory } from './autoscaler-memory.ts';
import { desiredWorkers } from './desired-workers.ts';
import { initialHistory } from './history.ts';

/** Status shows a changed measurement at most this often unless the decision changes. */
export const STATUS_REFRESH_MS = 15_000;
/** A requeue may run a few ms early by the clock it is compared with; count it as due. */
const DUE_SLACK_MS = 50;

export interface BuiltinDeps {
  memory: AutoscalerMemory;
  /** GET /v1/queue; undefined when it could not be read. */
  queue(cluster: IngestionCluster): Promise<QueueView | undefined>;
  now(): Date;
}

export interface BuiltinTurn {
  key: string;
  /** The memory after this turn, kept by the caller once the decision is carried out. */
  entry: AutoscalerEntry;
  /** The workers the Deployment should run. */
  replicas: number;
  /** The replicas of the previous decision (or the live count before the first). */
  previous: number;
  /** A measurement was made (or failed) in this turn. */
  measured: boolean;
  /** This turn's measurement, when it answered. */
  queue?: QueueView;
  /** Status should show this turn's measurement and decision (else the last shown stay). */
  show: boolean;
  /** When the next measurement is due. */
  nextInMs: number;
}

/**
 * undefined when the cluster has no Builtin autoscaler now (another mode, suspended), or has not
 * had a first measurement and its API serves no pod yet: the Deployment then keeps the spec's count.
 */
export async function builtinTurn(deps: BuiltinDeps, cluster: IngestionCluster, liveReplicas: number | undefined, apiServing: boolean): Promise<BuiltinTurn | undefined> {
  const key = `${cluster.metadata.namespace}/${cluster.metadata.name}`;
  const { spec } = cluster;
  if (spec.autoscaling.mode !== 'Builtin' || spec.suspend) {
    deps.memory.forget(key);
    return undefined;
  }
  const interval = spec.autoscaling.pollingIntervalSeconds * 1000;
  const t = deps.now().getTime();
  const before = deps.memory.get(key, cluster.metadata.uid ?? '');
  if (!before?.decision && !apiServing) return undefined;
  const entry: AutoscalerEntry = before ?? { uid: cluster.metadata.uid ?? '', history: initialHistory(liveReplicas ?? spec.workers.replicas) };
  const previous = entry.history.replicas;

  const sinceLast = entry.measuredAt === undefined ? Infinity : t - entry.measuredAt;
  if (sinceLast + DUE_SLACK_MS < interval && entry.decision) {
    return { key, entry, replicas: previous, previous, measured: false, show: false, nextInMs: interval - sinceLast };
  }
  const queue = await deps.queue(cluster);
  const { history, ...decision } = desiredWorkers(queue, spec.autoscaling, entry.history, deps.now());
  const show =
    decision.replicas !== previous ||
    decision.reason !== entry.decision?.reason ||
    // Each failure up to the fallback is shown at once; a long outage only every refresh.
    Math.min(history.consecutiveFailures, spec.autoscaling.fallback.failureThreshold) !==
      Math.min(entry.history.consecutiveFailures, spec.autoscaling.fallback.failureThreshold) ||
    entry.shownAt === undefined ||
    t - entry.shownAt >= STATUS_REFRESH_MS;
  const next: AutoscalerEntry = {
    ...entry,
    history,
    measuredAt: t,
    ...(queue ? { queue } : {}),
    decision,
    ...(show ? { shownAt: t } : {}),
  };
  return { key, entry: next, replicas: decision.replicas, previous, measured: true, ...(queue ? { queue } : {}), show, nextInMs: interval };
}
