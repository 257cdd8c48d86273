// The `controller.kubernetes.io/pod-deletion-cost` of each worker pod, from the workers'
// heartbeats: the ReplicaSet controller deletes the pods of lowest cost first, so drained idle
// workers go first, then pods silent for a minute, then pods just starting, idle workers, and
// busy ones last. Pure.
import type { QueueView } from '../cluster-api/cluster-api.ts';
import { SILENT_POD_MS, type WorkerPod } from './scale-down-plan.ts';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** Costs by kind; a busy worker adds one per document in flight. */
export const DELETION_COST = { drained: -2000, silent: -1500, unknown: -1000, idle: 0, busy: 1000 } as const;

type Heartbeat = QueueView['workers'][number];

/** Annotation value (a decimal int32, as Kubernetes wants it) for each pod name. */
export function podDeletionCosts(workerPods: readonly WorkerPod[], heartbeats: readonly Heartbeat[], now: number): Record<string, string> {
  const byId = new Map(heartbeats.map((h) => [h.id, h]));
  const out: Record<string, string> = {};
  for (const pod of workerPods) {
    const hb = byId.get(pod.name);
    const cost = !hb
      ? now - pod.created >= SILENT_POD_MS
        ? DELETION_COST.silent
        : DELETION_COST.unknown
      : hb.busy
        ? DELETION_COST.busy + Math.max(1, hb.active ?? 1)
        : hb.draining
          ? DELETION_COST.drained
          : DELETION_COST.idle;
    out[pod.name] = String(cost);
  }
  return out;
}
