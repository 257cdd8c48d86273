// What the Builtin autoscaler remembers of each cluster between reconciles, in the operator's
// memory (as the HPA controller keeps its recommendations): lost on restart, when it starts
// again from the worker Deployment's live replicas.
import type { QueueView } from '../cluster-api/cluster-api.ts';
import type { AutoscalingHistory } from './history.ts';
import type { WorkersDecision } from './desired-workers.ts';

export interface AutoscalerEntry {
  /** The cluster's uid: a cluster deleted and created again under its name starts afresh. */
  uid: string;
  history: AutoscalingHistory;
  /** When (ms) the queue was last measured (or its measurement failed). */
  measuredAt?: number;
  /** The last measurement that answered: its heartbeats set the pods' deletion costs. */
  queue?: QueueView;
  /** The last decision, and when (ms) it was last shown in status. */
  decision?: Omit<WorkersDecision, 'history'>;
  shownAt?: number;
  /** The workers last asked to drain, and when (ms): renewed before the request expires. */
  drain?: { workers: string[]; at: number };
}

export class AutoscalerMemory {
  private readonly entries = new Map<string, AutoscalerEntry>();

  get(key: string, uid: string): AutoscalerEntry | undefined {
    const e = this.entries.get(key);
    return e?.uid === uid ? e : undefined;
  }

  set(key: string, entry: AutoscalerEntry): void {
    this.entries.set(key, entry);
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
