// The autoscaler's memory between decisions: small, plain and JSON-serializable, so the
// reconciler keeps it per cluster and status shows the last scale time and reason.

export interface Recommendation {
  /** Milliseconds since the epoch. */
  at: number;
  replicas: number;
}

export interface ScaleEvent {
  /** Milliseconds since the epoch. */
  at: number;
  /** Replicas added (positive) or removed (negative). */
  change: number;
}

export interface AutoscalingHistory {
  /** The last decision: the replicas the worker Deployment was told to run. */
  replicas: number;
  /** Recommendations of the last stabilization window (the longer of up and down). */
  recommendations: Recommendation[];
  /** Changes within the longest scaling-policy period, for the per-period limits. */
  scaleEvents: ScaleEvent[];
  /** Successive failed measurements. */
  consecutiveFailures: number;
  /** Since when (ms) every measurement saw an empty queue and no busy worker; absent otherwise. */
  quietSince?: number;
  /** When (ms) the replicas last changed, and why (a decision reason). */
  lastScaleTime?: number;
  lastScaleReason?: string;
}

/** Memory before the first decision: the replicas running now (spec.workers.replicas, clamped). */
export function initialHistory(replicas: number): AutoscalingHistory {
  return { replicas, recommendations: [], scaleEvents: [], consecutiveFailures: 0 };
}
