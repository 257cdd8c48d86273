// The `controller.kubernetes.io/pod-deletion-cost` of each worker pod, from the workers'
// heartbeats: the ReplicaSet controller deletes the pods of lowest cost first, so idle workers go
// before busy ones, and pods with no heartbeat (starting, or hung) before either. Pure.
import type { QueueView } from '../cluster-api.ts';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** Costs by kind; a busy worker adds one per document in flight. */
export const DELETION_COST = { unknown: -1000, idle: 0, busy: 1000 } as const;

type Heartbeat = QueueView['workers'][number];

/** Annotation value (a decimal int32, as Kubernetes wants it) for each pod name. */
export function podDeletionCosts(workerPods: readonly string[], heartbeats: readonly Heartbeat[]): Record<string, string> {
  const byId = new Map(heartbeats.map((h) => [h.id, h]));
  const out: Record<string, string> = {};
  for (const pod of workerPods) {
    const hb = byId.get(pod);
    const cost = !hb ? DELETION_COST.unknown : hb.busy ? DELETION_COST.busy + Math.max(1, hb.active ?? 1) : DELETION_COST.idle;
    out[pod] = String(cost);
  }
  return out;
}
