// What the operator knows of each IngestionCluster and IngestionJob, as Prometheus samples, the
// way kube-state-metrics exports built-in kinds: the status the operator wrote (from the cluster's
// API) and the spec's bounds. The dashboard's per-job progress and ETA, and the alerts on stalled
// jobs, workers at their ceiling and the autoscaler's fallback read these. The labels are
// ingestion_cluster and ingestion_job: Prometheus owns `job`, and multi-cluster setups `cluster`.
// Pure.
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import type { IngestionJob } from '../../crd/ingestion-job.ts';

export const RESOURCE_METRICS = {
  sluice_cluster_workers: { help: 'Workers of an IngestionCluster by state: desired, replicas, ready, busy, idle (status.workers), and the bounds min and max (spec.autoscaling; spec.workers.replicas when mode is None).', labels: ['namespace', 'ingestion_cluster', 'state'] },
  sluice_cluster_queue_documents: { help: "Documents in an IngestionCluster's queue at the operator's last measurement, by state: waiting, active, delayed, failed (status.queue).", labels: ['namespace', 'ingestion_cluster', 'state'] },
  sluice_cluster_autoscaler_reason: { help: "1 for the reason of the Builtin autoscaler's last decision (status.autoscaling.reason), e.g. Fallback.", labels: ['namespace', 'ingestion_cluster', 'reason'] },
  sluice_cluster_phase: { help: "1 for an IngestionCluster's phase.", labels: ['namespace', 'ingestion_cluster', 'phase'] },
  sluice_job_documents: { help: 'Documents of an IngestionJob by state: total, queued, active, succeeded, failed, skipped (status.counts).', labels: ['namespace', 'ingestion_job', 'ingestion_cluster', 'state'] },
  sluice_job_pages: { help: 'Pages an IngestionJob has extracted (status.pages).', labels: ['namespace', 'ingestion_job', 'ingestion_cluster'] },
  sluice_job_ocr_pages: { help: 'Pages of an IngestionJob whose text OCR recognised (status.pagesOcr).', labels: ['namespace', 'ingestion_job', 'ingestion_cluster'] },
  sluice_job_documents_per_second: { help: 'Documents an IngestionJob finished per second over the last minute, while it runs (status.rate).', labels: ['namespace', 'ingestion_job', 'ingestion_cluster'] },
  sluice_job_eta_seconds: { help: 'Estimated seconds until every document of a running IngestionJob is finished (status.etaSeconds).', labels: ['namespace', 'ingestion_job', 'ingestion_cluster'] },
  sluice_job_start_time_seconds: { help: 'When an IngestionJob started, in seconds since the epoch (status.startTime).', labels: ['namespace', 'ingestion_job', 'ingestion_cluster'] },
  sluice_job_phase: { help: "1 for an IngestionJob's phase.", labels: ['namespace', 'ingestion_job', 'ingestion_cluster', 'phase'] },
} as const;

export type ResourceMetricName = keyof typeof RESOURCE_METRICS;

export interface Sample {
  name: ResourceMetricName;
  labels: Record<string, string>;
  value: number;
}

/** Each defined entry of `values` as a sample of `name`, the entry's key under `label`. */
function each(name: ResourceMetricName, base: Record<string, string>, label: string, values: Record<string, number | undefined>): Sample[] {
  return Object.entries(values).flatMap(([key, value]) => (value === undefined ? [] : [{ name, labels: { ...base, [label]: key }, value }]));
}

export function clusterSamples(c: IngestionCluster): Sample[] {
  const base = { namespace: c.metadata.namespace ?? '', ingestion_cluster: c.metadata.name ?? '' };
  const { workers, queue, autoscaling, phase } = c.status ?? {};
  const scaling = c.spec.autoscaling;
  const bounds = scaling.mode === 'None' ? { min: c.spec.workers.replicas, max: c.spec.workers.replicas } : { min: scaling.minReplicas, max: scaling.maxReplicas };
  return [
    ...each('sluice_cluster_workers', base, 'state', { desired: workers?.desired, replicas: workers?.replicas, ready: workers?.ready, busy: workers?.busy, idle: workers?.idle, ...bounds }),
    ...each('sluice_cluster_queue_documents', base, 'state', { waiting: queue?.waiting, active: queue?.active, delayed: queue?.delayed, failed: queue?.failed }),
    ...(autoscaling?.reason ? [{ name: 'sluice_cluster_autoscaler_reason' as const, labels: { ...base, reason: autoscaling.reason }, value: 1 }] : []),
    ...(phase ? [{ name: 'sluice_cluster_phase' as const, labels: { ...base, phase }, value: 1 }] : []),
  ];
}

export function jobSamples(j: IngestionJob): Sample[] {
  const base = { namespace: j.metadata.namespace ?? '', ingestion_job: j.metadata.name ?? '', ingestion_cluster: j.spec.clusterRef.name };
  const s = j.status ?? {};
  const started = s.startTime === undefined ? undefined : Date.parse(s.startTime) / 1000;
  const one = (name: ResourceMetricName, value: number | undefined): Sample[] => (value === undefined || Number.isNaN(value) ? [] : [{ name, labels: base, value }]);
  return [
    ...each('sluice_job_documents', base, 'state', { ...s.counts }),
    ...one('sluice_job_pages', s.pages),
    ...one('sluice_job_ocr_pages', s.pagesOcr),
    ...one('sluice_job_documents_per_second', s.rate),
    ...one('sluice_job_eta_seconds', s.etaSeconds),
    ...one('sluice_job_start_time_seconds', started),
    ...(s.phase ? [{ name: 'sluice_job_phase' as const, labels: { ...base, phase: s.phase }, value: 1 }] : []),
  ];
}
