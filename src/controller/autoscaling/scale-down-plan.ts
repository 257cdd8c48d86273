// How the Builtin autoscaler carries out a lower worker count without interrupting a document:
// it asks the idle workers it picks to drain (src/shared/drain.ts) and lowers replicas only by
// the workers that report draining and idle, whose deletion cost is then the lowest, so they are
// the ones the ReplicaSet removes. A worker that took a document before it saw the request is
// busy, stays, and is removed once it reports idle. Pods without a heartbeat for a minute hold no
// document the workers know of (a worker heartbeats every 5 s) and may go at once. Pure.
import type { QueueView } from '../cluster-api/cluster-api.ts';

type Heartbeat = QueueView['workers'][number];

export interface WorkerPod {
  name: string;
  /** Milliseconds since the epoch. */
  created: number;
}

export interface ScaleDownPlan {
  /** Replicas to apply now: live minus the workers that may go now. */
  replicas: number;
  /** Workers to ask to drain (the whole set: others are released). */
  drain: string[];
  /** The pods that may go now. */
  removable: string[];
}

/** A pod this long without a heartbeat holds no document. */
export const SILENT_POD_MS = 60_000;

export function scaleDownPlan(target: number, live: number, pods: readonly WorkerPod[], heartbeats: readonly Heartbeat[], now: number): ScaleDownPlan {
  if (target >= live) return { replicas: target, drain: [], removable: [] };
  const want = live - target;
  const hb = new Map(heartbeats.map((h) => [h.id, h]));
  const byName = (a: WorkerPod, b: WorkerPod) => a.name.localeCompare(b.name);
  const drained = pods.filter((p) => hb.get(p.name)?.draining && !hb.get(p.name)?.busy).sort(byName);
  const silent = pods.filter((p) => !hb.has(p.name) && now - p.created >= SILENT_POD_MS).sort(byName);
  const removable = [...drained, ...silent].slice(0, want).map((p) => p.name);
  // Still to drain: those asked already (busy ones finish first), then idle ones; never a busy one newly.
  const asked = pods.filter((p) => hb.get(p.name)?.draining && hb.get(p.name)?.busy).sort(byName);
  const idle = pods.filter((p) => hb.get(p.name) && !hb.get(p.name)!.busy && !hb.get(p.name)!.draining).sort(byName);
  const toDrain = [...drained.filter((p) => removable.includes(p.name)), ...[...asked, ...idle].slice(0, Math.max(0, want - removable.length))].map((p) => p.name);
  return { replicas: live - removable.length, drain: toDrain, removable };
}
