// Per-period limits on how fast replicas change, with the HPA's semantics: each policy allows a
// number of pods or a percentage of the replicas at the start of its period; selectPolicy picks
// the policy allowing the most change (Max), the least (Min), or none (Disabled). Pure.
import type { IngestionClusterSpec } from '../../crd/ingestion-cluster.ts';
import type { ScaleEvent } from './history.ts';

export type ScalingRules = IngestionClusterSpec['autoscaling']['scaleUp'];

/** The most replicas a scale-up from `current` may reach now. */
export function scaleUpLimit(current: number, rules: ScalingRules, events: readonly ScaleEvent[], now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const limits = rules.policies.map((p) => {
    const added = events.filter((e) => e.change > 0 && now - e.at < p.periodSeconds * 1000).reduce((a, e) => a + e.change, 0);
    const start = current - added;
    return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
  });
  const limit = rules.selectPolicy === 'Min' ? Math.min(...limits) : Math.max(...limits);
  // The HPA never runs at zero; from zero, one worker is always allowed (activation).
  return Math.max(limit, current, current === 0 ? 1 : 0);
}

/** The fewest replicas a scale-down from `current` may reach now. */
export function scaleDownLimit(current: number, rules: ScalingRules, events: readonly ScaleEvent[], now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const limits = rules.policies.map((p) => {
    const removed = events.filter((e) => e.change < 0 && now - e.at < p.periodSeconds * 1000).reduce((a, e) => a - e.change, 0);
    const start = current + removed;
    return p.type === 'Pods' ? start - p.value : Math.floor(start * (1 - p.value / 100));
  });
  const limit = rules.selectPolicy === 'Min' ? Math.max(...limits) : Math.min(...limits);
  return Math.min(Math.max(limit, 0), current);
}
