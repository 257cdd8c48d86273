// Carries out a Builtin decision below the live worker count: the drain handshake
// (autoscaling/scale-down-plan.ts), then the deletion costs, then the replicas that may go now.
// If a request or a cost cannot be written, nothing is lowered (the error policy retries): a
// worker removed without them may be busy.
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import type { BuiltinTurn } from '../autoscaling/builtin-autoscaler.ts';
import { podDeletionCosts } from '../autoscaling/deletion-costs.ts';
import { scaleDownPlan } from '../autoscaling/scale-down-plan.ts';
import { DeletionCostError, errorMessage } from '../runtime/errors.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import type { WorkerPods } from './worker-pods.ts';

/** Renew a drain request this often; it expires after DRAIN_TTL_MS (30 s). */
const RENEW_DRAIN_MS = 10_000;

export interface ScaleDownDeps {
  pods: WorkerPods;
  /** PUT /v1/workers/drain of the cluster's API: exactly these workers drain. Throws on failure. */
  drain(cluster: IngestionCluster, workers: readonly string[]): Promise<void>;
  events: EventRecorder;
  now(): Date;
}

/** The worker replicas to apply for this turn's decision; updates turn.entry.drain. */
export async function workerReplicasFor(deps: ScaleDownDeps, cluster: IngestionCluster, turn: BuiltinTurn, live: number | undefined): Promise<number> {
  const t = deps.now().getTime();
  const sent = turn.entry.drain;
  if (live === undefined || turn.replicas >= live) {
    if (sent?.workers.length) await send(deps, cluster, turn, [], t);
    return turn.replicas;
  }
  // Only a measurement of this turn says who is idle: without one (between measurements, or the
  // API not answering, when fallback may want fewer) nothing is lowered.
  if (!turn.queue) return live;
  try {
    const pods = await deps.pods.list(cluster);
    const workers = turn.queue.workers;
    const plan = scaleDownPlan(turn.replicas, live, pods, workers, t);
    const changed = plan.drain.join() !== (sent?.workers ?? []).join();
    if (changed || (plan.drain.length > 0 && t - (sent?.at ?? 0) >= RENEW_DRAIN_MS)) {
      const newly = plan.drain.filter((w) => !sent?.workers.includes(w));
      await send(deps, cluster, turn, plan.drain, t);
      if (newly.length) await deps.events.record(cluster, 'Normal', 'Draining', `Asked ${newly.length} idle worker(s) to take no new document before removing them: ${newly.join(', ')}.`);
    }
    if (plan.removable.length > 0) {
      const costs = podDeletionCosts(pods, workers, t);
      const stale = Object.fromEntries(Object.entries(costs).filter(([name, cost]) => pods.find((p) => p.name === name)?.cost !== cost));
      await deps.pods.setDeletionCosts(cluster, stale);
    }
    return plan.replicas;
  } catch (err) {
    throw new DeletionCostError(`preparing the worker pods for scale-down: ${errorMessage(err)}`, { cause: err });
  }
}

async function send(deps: ScaleDownDeps, cluster: IngestionCluster, turn: BuiltinTurn, workers: string[], t: number): Promise<void> {
  await deps.drain(cluster, workers);
  turn.entry.drain = { workers, at: t };
}
