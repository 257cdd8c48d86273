// How many workers a cluster should run: the Builtin autoscaler's decision, as a pure function
// of one queue measurement (or its failure), the spec, the autoscaler's memory and the clock.
//
// Demand is queued plus in-flight documents over targetDepthPerWorker (KEDA counts waiting items
// only, so busy workers look idle and are scaled away). Up: activation from zero as soon as work
// waits above activationDepth, no window, at most what the scale-up policies allow per period.
// Down: the highest recommendation of the stabilization window, per-period limits, to zero only
// after cooldownSeconds of an empty queue with every worker idle, and never more workers removed
// than are not busy (the pod deletion costs make the ReplicaSet remove exactly those).
import type { IngestionClusterSpec } from '../../crd/ingestion-cluster.ts';
import type { AutoscalingHistory, Recommendation, ScaleEvent } from './history.ts';
import { demandOf, type QueueObservation } from './observation.ts';
import { scaleDownLimit, scaleUpLimit } from './scaling-policies.ts';
import { stabilize } from './stabilization.ts';

export type AutoscalingSpec = IngestionClusterSpec['autoscaling'];

export type ScaleReason = 'ScaleUp' | 'ScaleDown' | 'Hold' | 'Activation' | 'ScaleToZero' | 'Fallback' | 'MetricUnavailable' | 'Clamped';

export interface WorkersDecision {
  replicas: number;
  reason: ScaleReason;
  message: string;
  history: AutoscalingHistory;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `observation` is undefined when the queue could not be read. */
export function desiredWorkers(observation: QueueObservation | undefined, spec: AutoscalingSpec, history: AutoscalingHistory, now: Date): WorkersDecision {
  const t = now.getTime();
  return observation === undefined ? withoutMeasurement(spec, history, t) : measured(observation, spec, history, t);
}

function withoutMeasurement(spec: AutoscalingSpec, h: AutoscalingHistory, t: number): WorkersDecision {
  const failures = h.consecutiveFailures + 1;
  const base = { ...h, consecutiveFailures: failures, quietSince: undefined };
  if (failures < spec.fallback.failureThreshold) {
    return {
      replicas: h.replicas,
      reason: 'MetricUnavailable',
      message: `The queue could not be read (${failures} of ${spec.fallback.failureThreshold} failures before fallback); holding ${plural(h.replicas, 'worker')}.`,
      history: base,
    };
  }
  const replicas = Math.min(spec.fallback.replicas, spec.maxReplicas);
  const message = `The queue could not be read ${plural(failures, 'time')} in a row; running fallback.replicas (${replicas}).`;
  return { replicas, reason: 'Fallback', message, history: changed(base, replicas, 'Fallback', t) };
}

function measured(observation: QueueObservation, spec: AutoscalingSpec, h: AutoscalingHistory, t: number): WorkersDecision {
  const current = h.replicas;
  const d = demandOf(observation);
  const depth = d.queued + d.inFlight;
  const target = spec.targetDepthPerWorker;

  // Quiet: nothing queued, delayed or in flight, and no worker busy, since quietSince.
  const quiet = depth === 0 && d.pending === 0 && d.busy === 0;
  const quietSince = quiet ? (h.quietSince ?? t) : undefined;
  const cooled = quietSince !== undefined && t - quietSince >= spec.cooldownSeconds * 1000;

  const raw = Math.ceil(depth / target);
  let recommendation = raw;
  let tolerated = false;
  if (current > 0 && raw !== current && Math.abs(depth / (target * current) - 1) <= spec.tolerance + 1e-9) {
    recommendation = current;
    tolerated = true;
  }
  // From zero, only work above activationDepth starts a worker; any pending retry needs one too.
  const activate = d.queued + d.pending > spec.activationDepth;
  if (current === 0 && !activate) recommendation = 0;
  if (current === 0 && activate) recommendation = Math.max(recommendation, 1);
  // Running workers stay at one or more until the cooldown has passed.
  const floor = Math.max(spec.minReplicas, current > 0 && !cooled ? 1 : 0);
  recommendation = Math.min(Math.max(recommendation, floor), spec.maxReplicas);

  const keepMs = Math.max(spec.scaleUp.stabilizationWindowSeconds, spec.scaleDown.stabilizationWindowSeconds) * 1000;
  const recommendations: Recommendation[] = [...h.recommendations.filter((r) => t - r.at < keepMs), { at: t, replicas: recommendation }];
  let desired = stabilize(current, recommendations, t, spec.scaleUp.stabilizationWindowSeconds, spec.scaleDown.stabilizationWindowSeconds);
  const stabilized = desired;
  // After the cooldown, scale to zero as KEDA does: the window has already been waited out.
  if (cooled && spec.minReplicas === 0) desired = 0;

  const events = h.scaleEvents;
  if (desired > current) desired = Math.min(desired, scaleUpLimit(current, spec.scaleUp, events, t));
  if (desired < current) desired = Math.max(desired, scaleDownLimit(current, spec.scaleDown, events, t));
  const limited = desired;
  desired = Math.min(Math.max(desired, spec.minReplicas), spec.maxReplicas);
  // Never remove a busy worker: at most the workers that are not busy may go.
  const removable = Math.max(0, current - d.busy);
  const guarded = desired < current - removable;
  if (guarded) desired = current - removable;

  const next: AutoscalingHistory = { ...h, recommendations, consecutiveFailures: 0, quietSince };
  const demand = `${d.queued} queued + ${d.inFlight} in flight = ${depth} (${target} per worker)`;
  const clamped = raw > spec.maxReplicas && desired === spec.maxReplicas;

  if (desired === current) {
    const why = clamped
      ? `at maxReplicas (${spec.maxReplicas}); demand asks for ${raw}`
      : guarded
        ? `${plural(d.busy, 'worker')} busy`
        : tolerated
          ? `within tolerance ${spec.tolerance}`
          : stabilized < current && limited === current
            ? 'scale-down policy limit'
            : stabilized > current && limited === current
              ? 'scale-up policy limit'
              : current === 0 && raw > 0
                ? `${d.queued + d.pending} waiting, not above activationDepth (${spec.activationDepth})`
                : raw < current
                ? quiet
                  ? `cooling down (${Math.floor((t - (quietSince ?? t)) / 1000)} of ${spec.cooldownSeconds} s quiet)`
                  : `stabilization window (${spec.scaleDown.stabilizationWindowSeconds} s)`
                : 'demand met';
    return { replicas: current, reason: clamped ? 'Clamped' : 'Hold', message: `Holding ${plural(current, 'worker')}: ${demand}; ${why}.`, history: next };
  }
  let reason: ScaleReason;
  let message: string;
  if (current === 0) {
    reason = 'Activation';
    message = `Activated ${plural(desired, 'worker')}: ${demand}.`;
  } else if (desired === 0) {
    reason = 'ScaleToZero';
    message = `Scaled to zero: queue empty and every worker idle for ${spec.cooldownSeconds} s.`;
  } else if (desired > current) {
    reason = clamped ? 'Clamped' : 'ScaleUp';
    message = `Scaled up from ${current} to ${desired}: ${demand}${clamped ? `; capped at maxReplicas (${spec.maxReplicas}), demand asks for ${raw}` : desired < raw ? '; limited by the scale-up policy' : ''}.`;
  } else if (current > spec.maxReplicas) {
    reason = 'Clamped';
    message = `Scaled down from ${current} to ${desired}: above maxReplicas (${spec.maxReplicas})${guarded ? `; ${plural(d.busy, 'busy worker')} kept` : ''}.`;
  } else {
    reason = 'ScaleDown';
    message = `Scaled down from ${current} to ${desired}: ${demand}${guarded ? `; ${plural(d.busy, 'busy worker')} kept` : ''}.`;
  }
  return { replicas: desired, reason, message, history: changed(next, desired, reason, t) };
}

/** The history after deciding `replicas`: a scale event and last scale time when they differ. */
function changed(h: AutoscalingHistory, replicas: number, reason: ScaleReason, t: number): AutoscalingHistory {
  if (replicas === h.replicas) return h;
  const events: ScaleEvent[] = [...h.scaleEvents.filter((e) => t - e.at < 1800_000), { at: t, change: replicas - h.replicas }];
  return { ...h, replicas, scaleEvents: events, lastScaleTime: t, lastScaleReason: reason };
}
