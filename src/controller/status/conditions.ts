// metav1.Condition bookkeeping: lastTransitionTime moves only when status does. Pure.
import type { Condition } from '../../crd/common.ts';

export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export function mergeConditions(existing: Condition[] | undefined, next: ConditionInput[], generation: number | undefined, now: Date): Condition[] {
  return next.map((c) => {
    const prev = existing?.find((e) => e.type === c.type);
    return {
      ...c,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
      lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  });
}

export const findCondition = (conditions: Condition[] | undefined, type: string) => conditions?.find((c) => c.type === type);
