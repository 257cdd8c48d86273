// How the dispatcher shares free worker slots among jobs: higher priority first; jobs of equal
// priority take one document each in turn, starting with the one served longest ago, so a big
// job cannot starve a small one. A job never exceeds its room (parallelism minus in flight).

export interface Candidate {
  id: string;
  priority: number;
  /** parallelism − (queued + processing), may be ≤ 0. */
  room: number;
  /** Pending documents (a lower bound is enough). */
  pending: number;
  /** When the job last got a document; null = never. */
  lastDispatchedAt: number | null;
}

export function allocate(jobs: readonly Candidate[], free: number): Map<string, number> {
  const out = new Map<string, number>();
  const order = [...jobs].sort(
    (a, b) => b.priority - a.priority || (a.lastDispatchedAt ?? -Infinity) - (b.lastDispatchedAt ?? -Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  let left = Math.max(0, free);
  let i = 0;
  while (left > 0 && i < order.length) {
    const priority = order[i]!.priority;
    const group: Candidate[] = [];
    while (i < order.length && order[i]!.priority === priority) group.push(order[i++]!);
    let progressed = true;
    while (left > 0 && progressed) {
      progressed = false;
      for (const j of group) {
        const given = out.get(j.id) ?? 0;
        if (left === 0 || given >= Math.min(j.room, j.pending)) continue;
        out.set(j.id, given + 1);
        left--;
        progressed = true;
      }
    }
  }
  return out;
}
