// The numbers the alerts of prometheus-rule.ts compare with, as values: the manifests are
// generated with these defaults (npm run gen:monitoring), and docs/operations.md lists them.
// Durations are Prometheus durations ("15m").
export interface AlertThresholds {
  /** How long no operator pod may be scraped before SluiceOperatorDown. */
  operatorDownFor: string;
  /** How long the operator's pods may run without a leader. */
  noLeaderFor: string;
  /** Reconcile errors a second, per controller and error type, that count as sustained... */
  reconcileErrorsPerSecond: number;
  /** ...for this long. */
  reconcileErrorsFor: string;
  /** How long the queue may grow while a cluster wants all the workers it may have. */
  queueGrowingFor: string;
  /** Minutes a running job may finish no document while some wait. */
  jobStalledMinutes: number;
  /** Share of finished documents that failed with one error type, over failureWindow. */
  documentFailureRatio: number;
  failureWindow: string;
  /** Share of the API's answers that are 5xx, over apiErrorWindow, held for apiErrorsFor. */
  apiErrorRatio: number;
  apiErrorWindow: string;
  apiErrorsFor: string;
  /** How long a pod of the data plane may fail to reach PostgreSQL, Redis or Chroma. */
  dependencyDownFor: string;
  /** How long the Builtin autoscaler may run its fallback replicas. */
  fallbackFor: string;
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  operatorDownFor: '5m',
  noLeaderFor: '5m',
  reconcileErrorsPerSecond: 0.1,
  reconcileErrorsFor: '15m',
  queueGrowingFor: '15m',
  jobStalledMinutes: 30,
  documentFailureRatio: 0.1,
  failureWindow: '15m',
  apiErrorRatio: 0.05,
  apiErrorWindow: '5m',
  apiErrorsFor: '10m',
  dependencyDownFor: '2m',
  fallbackFor: '5m',
};
