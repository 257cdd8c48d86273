// Sluice's alerts as a PrometheusRule, from the thresholds given (alert-thresholds.ts). Each alert
// has a runbook section in docs/operations.md, named as the alert in lower case. The series come
// from the PodMonitors' jobs (pod-monitors.ts); the per-cluster and per-job ones the operator
// exports from its resources' status (controller/metrics/resource-samples.ts). Pure.
import type { AlertThresholds } from './alert-thresholds.ts';
import { SCRAPE_JOBS } from './pod-monitors.ts';

export const RUNBOOK_BASE = 'https://github.com/sluice-dev/sluice/blob/main/docs/operations.md';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'critical' | 'warning' };
  annotations: { summary: string; description: string; runbook_url: string };
}

const { operator, api, worker } = SCRAPE_JOBS;
const CLUSTER = 'namespace, ingestion_cluster';
const JOB = 'namespace, ingestion_job, ingestion_cluster';

function rule(alert: string, severity: 'critical' | 'warning', expr: string, wait: string | undefined, summary: string, description: string): AlertRule {
  return {
    alert,
    expr: expr.trim().split('\n').map((line) => line.trim()).join('\n'),
    ...(wait ? { for: wait } : {}),
    labels: { severity },
    annotations: { summary, description, runbook_url: `${RUNBOOK_BASE}#${alert.toLowerCase()}` },
  };
}

export function alertRules(t: AlertThresholds): AlertRule[] {
  const stalled = t.jobStalledMinutes;
  return [
    rule('SluiceOperatorDown', 'critical', `absent(up{job="${operator}"} == 1)`, t.operatorDownFor, 'No Sluice operator is running', `Prometheus has scraped no pod of the job ${operator}: IngestionClusters and IngestionJobs are not reconciled.`),
    rule('SluiceOperatorNoLeader', 'critical', `sum(up{job="${operator}"}) > 0 and sum(sluice_controller_leader{job="${operator}"}) < 1`, t.noLeaderFor, 'The Sluice operator has no leader', 'Operator pods run, but none holds the lease: nothing is reconciled.'),
    rule(
      'SluiceReconcileErrors',
      'warning',
      `sum by (controller, error) (rate(sluice_controller_errors_total{job="${operator}"}[5m])) > ${t.reconcileErrorsPerSecond}`,
      t.reconcileErrorsFor,
      'The {{ $labels.controller }} controller keeps failing with {{ $labels.error }}',
      '{{ $value | humanize }} reconcile errors a second of type {{ $labels.error }} in the {{ $labels.controller }} controller.',
    ),
    rule(
      'SluiceQueueGrowingAtMaxWorkers',
      'warning',
      `
      max by (${CLUSTER}) (sluice_cluster_workers{job="${operator}", state="desired"})
        >= on (${CLUSTER}) max by (${CLUSTER}) (sluice_cluster_workers{job="${operator}", state="max"})
      and on (${CLUSTER}) max by (${CLUSTER}) (deriv(sluice_cluster_queue_documents{job="${operator}", state="waiting"}[${t.queueGrowingFor}])) > 0`,
      t.queueGrowingFor,
      'The queue of {{ $labels.namespace }}/{{ $labels.ingestion_cluster }} grows with every worker it may have',
      'The cluster wants all its workers (spec.autoscaling.maxReplicas) and its queue still grows: raise maxReplicas, or expect a backlog.',
    ),
    rule(
      'SluiceJobStalled',
      'warning',
      `
      max by (${JOB}) (sluice_job_phase{job="${operator}", phase="Running"}) == 1
      and on (${JOB}) sum by (${JOB}) (sluice_job_documents{job="${operator}", state=~"queued|active"}) > 0
      unless on (${JOB}) sum by (${JOB}) (changes(sluice_job_documents{job="${operator}", state=~"succeeded|failed|skipped"}[${stalled}m])) > 0
      and on (${JOB}) time() - max by (${JOB}) (sluice_job_start_time_seconds{job="${operator}"}) > ${stalled} * 60
      unless on (${JOB}) max by (${JOB}) (max_over_time(sluice_job_phase{job="${operator}", phase="Suspended"}[${stalled}m])) == 1`,
      undefined,
      'IngestionJob {{ $labels.namespace }}/{{ $labels.ingestion_job }} has finished no document for ' + `${stalled} minutes`,
      `The job runs and has documents pending, but none succeeded or failed in the last ${stalled} minutes.`,
    ),
    rule(
      'SluiceDocumentFailures',
      'warning',
      `
      sum by (${CLUSTER}, error_type) (rate(sluice_documents_total{job="${worker}", outcome="failed"}[${t.failureWindow}]))
        / on (${CLUSTER}) group_left sum by (${CLUSTER}) (rate(sluice_documents_total{job="${worker}", outcome=~"succeeded|failed"}[${t.failureWindow}]))
      > ${t.documentFailureRatio}`,
      undefined,
      'Documents of {{ $labels.namespace }}/{{ $labels.ingestion_cluster }} fail with {{ $labels.error_type }}',
      '{{ $value | humanizePercentage }} of the documents finished in the last ' + `${t.failureWindow} failed with {{ $labels.error_type }}.`,
    ),
    rule(
      'SluiceApiErrors',
      'warning',
      `
      sum by (${CLUSTER}) (rate(sluice_api_requests_total{job="${api}", status=~"5.."}[${t.apiErrorWindow}]))
        / sum by (${CLUSTER}) (rate(sluice_api_requests_total{job="${api}"}[${t.apiErrorWindow}]))
      > ${t.apiErrorRatio}`,
      t.apiErrorsFor,
      'The API of {{ $labels.namespace }}/{{ $labels.ingestion_cluster }} answers 5xx',
      '{{ $value | humanizePercentage }} of its answers are server errors.',
    ),
    rule(
      'SluiceDependencyDown',
      'critical',
      `min by (${CLUSTER}, dependency) (sluice_dependency_up{job=~"${api}|${worker}"}) == 0`,
      t.dependencyDownFor,
      'The data plane of {{ $labels.namespace }}/{{ $labels.ingestion_cluster }} cannot reach {{ $labels.dependency }}',
      'At least one API or worker pod gets no answer from {{ $labels.dependency }}.',
    ),
    rule(
      'SluiceAutoscalerFallback',
      'warning',
      `max by (${CLUSTER}) (sluice_cluster_autoscaler_reason{job="${operator}", reason="Fallback"}) == 1`,
      t.fallbackFor,
      'The autoscaler of {{ $labels.namespace }}/{{ $labels.ingestion_cluster }} runs its fallback replicas',
      "The operator cannot measure the cluster's queue through its API, so it runs spec.autoscaling.fallback.replicas workers.",
    ),
  ];
}

export function prometheusRule(t: AlertThresholds): object {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'sluice', namespace: 'sluice-system', labels: { 'app.kubernetes.io/name': 'sluice' } },
    spec: { groups: [{ name: 'sluice', rules: alertRules(t) }] },
  };
}
