// The Events of a cluster reconcile: its conditions' transitions and the Builtin autoscaler's scales.
import type { IngestionCluster, IngestionClusterStatus } from '../../crd/ingestion-cluster.ts';
import type { BuiltinTurn } from '../autoscaling/builtin-autoscaler.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import { findCondition } from '../status/conditions.ts';

type Events = Pick<EventRecorder, 'record'>;

export async function recordTransitions(events: Events, cluster: IngestionCluster, status: IngestionClusterStatus): Promise<void> {
  for (const type of ['Ready', 'Degraded', 'Suspended']) {
    const before = findCondition(cluster.status?.conditions, type);
    const after = findCondition(status.conditions, type);
    if (!after || (before?.status === after.status && before.reason === after.reason)) continue;
    if (type === 'Ready' && after.status === 'True') await events.record(cluster, 'Normal', 'Ready', after.message);
    if (type === 'Degraded' && after.status === 'True') await events.record(cluster, 'Warning', after.reason, after.message);
    if (type === 'Degraded' && after.status === 'False' && before?.status === 'True') await events.record(cluster, 'Normal', 'Recovered', 'No problem detected any more.');
    if (type === 'Suspended' && before && before.status !== after.status) await events.record(cluster, 'Normal', after.status === 'True' ? 'Suspended' : 'Resumed', after.message);
  }
}

export async function recordScale(events: Events, cluster: IngestionCluster, turn: BuiltinTurn, from: number, to: number): Promise<void> {
  const decision = turn.entry.decision;
  if (decision?.reason === 'Fallback') return void (await events.record(cluster, 'Warning', 'Fallback', decision.message));
  const why = decision ? ` (${decision.message})` : '';
  if (to > from) await events.record(cluster, 'Normal', 'ScaledUp', `Workers ${from} → ${to}${why}`);
  else await events.record(cluster, 'Normal', 'ScaledDown', `Workers ${from} → ${to}: drained idle workers removed${why}`);
}
