// status.autoscaling of a cluster in Builtin mode, from the autoscaler's turn. Pure.
import type { IngestionClusterStatus } from '../../crd/ingestion-cluster.ts';
import type { BuiltinTurn } from '../autoscaling/builtin-autoscaler.ts';

export function autoscalingStatus(turn: BuiltinTurn): NonNullable<IngestionClusterStatus['autoscaling']> {
  const { decision, history } = turn.entry;
  return {
    mode: 'Builtin',
    ...(decision ? { reason: decision.reason, message: decision.message } : {}),
    ...(history.lastScaleTime === undefined ? {} : { lastScaleTime: new Date(history.lastScaleTime).toISOString() }),
    ...(history.lastScaleReason === undefined ? {} : { lastScaleReason: history.lastScaleReason }),
    consecutiveFailures: history.consecutiveFailures,
  };
}
