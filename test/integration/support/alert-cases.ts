// Series that should raise each of Sluice's alerts, and the same series recovering, for promtool's
// rule unit tests (alert-rules.test.ts). Samples are a minute apart from minute 0, in promtool's
// expanding notation: 'a+bxn' is n+1 samples from a, b apart; '_' is a missing sample.
export interface AlertCase {
  name: string;
  alert: string;
  severity: 'critical' | 'warning';
  series: [string, string][];
  /** At each minute, the alerts firing, by their labels besides alertname and severity (none: quiet). */
  expect: (readonly [number, readonly Record<string, string>[]])[];
}

const OP = 'job="sluice-operator", namespace="sluice-system", pod="sluice-operator-0"';
/** The operator's series of a resource keep the resource's namespace (the PodMonitor's honorLabels). */
const OP_OF = 'job="sluice-operator", pod="sluice-operator-0"';
const CLUSTER = { namespace: 'docs', ingestion_cluster: 'handbooks' };
const IC = 'namespace="docs", ingestion_cluster="handbooks"';
const IJ = `${IC}, ingestion_job="manuals"`;

export const ALERT_CASES: AlertCase[] = [
  {
    name: 'no operator pod answers for a while',
    alert: 'SluiceOperatorDown',
    severity: 'critical',
    series: [[`up{${OP}}`, '1x10 0x20 1x10']],
    expect: [
      [9, []],
      [14, []], // down 3 minutes: not yet
      [20, [{}]],
      [40, []],
    ],
  },
  {
    name: 'operator pods run without the lease',
    alert: 'SluiceOperatorNoLeader',
    severity: 'critical',
    series: [
      [`up{${OP}}`, '1x40'],
      [`sluice_controller_leader{${OP}}`, '1x5 0x15 1x20'],
    ],
    expect: [
      [5, []],
      [15, [{}]],
      [30, []],
    ],
  },
  {
    name: 'a controller fails a reconcile a second for half an hour',
    alert: 'SluiceReconcileErrors',
    severity: 'warning',
    series: [[`sluice_controller_errors_total{${OP}, controller="IngestionCluster", error="ApplyFailed"}`, '0+60x30 1800x30']],
    expect: [
      [10, []],
      [20, [{ controller: 'IngestionCluster', error: 'ApplyFailed' }]],
      [45, []],
    ],
  },
  {
    name: 'the queue grows while the cluster wants all its workers, and not when it may add some',
    alert: 'SluiceQueueGrowingAtMaxWorkers',
    severity: 'warning',
    series: [
      [`sluice_cluster_workers{${OP_OF}, ${IC}, state="desired"}`, '4x60'],
      [`sluice_cluster_workers{${OP_OF}, ${IC}, state="max"}`, '4x60'],
      [`sluice_cluster_queue_documents{${OP_OF}, ${IC}, state="waiting"}`, '100+10x30 400-20x30'],
      [`sluice_cluster_workers{${OP_OF}, namespace="docs", ingestion_cluster="growing", state="desired"}`, '3x60'],
      [`sluice_cluster_workers{${OP_OF}, namespace="docs", ingestion_cluster="growing", state="max"}`, '10x60'],
      [`sluice_cluster_queue_documents{${OP_OF}, namespace="docs", ingestion_cluster="growing", state="waiting"}`, '100+10x60'],
    ],
    expect: [
      [10, []],
      [25, [CLUSTER]],
      [55, []],
    ],
  },
  {
    name: 'a running job finishes nothing for 30 minutes, and one started 10 minutes ago is left alone',
    alert: 'SluiceJobStalled',
    severity: 'warning',
    series: [
      [`sluice_job_phase{${OP_OF}, ${IJ}, phase="Running"}`, '1x90'],
      [`sluice_job_documents{${OP_OF}, ${IJ}, state="queued"}`, '10x90'],
      [`sluice_job_documents{${OP_OF}, ${IJ}, state="succeeded"}`, '0+1x10 10x50 11+1x29'],
      [`sluice_job_start_time_seconds{${OP_OF}, ${IJ}}`, '0x90'],
      [`sluice_job_phase{${OP_OF}, ${IC}, ingestion_job="fresh", phase="Running"}`, '_x40 1x50'],
      [`sluice_job_documents{${OP_OF}, ${IC}, ingestion_job="fresh", state="queued"}`, '_x40 10x50'],
      [`sluice_job_start_time_seconds{${OP_OF}, ${IC}, ingestion_job="fresh"}`, '_x40 2400x50'],
      // Suspended for an hour, then resumed: nothing finished while suspended, which is no stall.
      [`sluice_job_phase{${OP_OF}, ${IC}, ingestion_job="resumed", phase="Suspended"}`, '1x60 0x30'],
      [`sluice_job_phase{${OP_OF}, ${IC}, ingestion_job="resumed", phase="Running"}`, '0x60 1x30'],
      [`sluice_job_documents{${OP_OF}, ${IC}, ingestion_job="resumed", state="queued"}`, '10x90'],
      [`sluice_job_documents{${OP_OF}, ${IC}, ingestion_job="resumed", state="succeeded"}`, '0x63 1+1x26'],
      [`sluice_job_start_time_seconds{${OP_OF}, ${IC}, ingestion_job="resumed"}`, '0x90'],
    ],
    expect: [
      [20, []],
      [45, [{ ...CLUSTER, ingestion_job: 'manuals' }]],
      [55, [{ ...CLUSTER, ingestion_job: 'manuals' }]],
      [62, []],
      [70, []],
    ],
  },
  {
    name: 'a fifth of the documents fail as Corrupt, then none',
    alert: 'SluiceDocumentFailures',
    severity: 'warning',
    series: [
      [`sluice_documents_total{job="sluice-worker", ${IC}, pod="w-1", outcome="succeeded", error_type=""}`, '0+8x60'],
      [`sluice_documents_total{job="sluice-worker", ${IC}, pod="w-1", outcome="failed", error_type="Corrupt"}`, '0+2x30 60x30'],
    ],
    expect: [
      [20, [{ ...CLUSTER, error_type: 'Corrupt' }]],
      [55, []],
    ],
  },
  {
    name: 'a tenth of the API answers are 503 for half an hour',
    alert: 'SluiceApiErrors',
    severity: 'warning',
    series: [
      [`sluice_api_requests_total{job="sluice-api", ${IC}, pod="api-1", method="POST", route="/documents", status="202", code=""}`, '0+90x60'],
      [`sluice_api_requests_total{job="sluice-api", ${IC}, pod="api-1", method="POST", route="/documents", status="503", code="QueueFull"}`, '0+10x30 300x30'],
    ],
    expect: [
      [8, []], // 5xx for 8 minutes, under the 10 it must last
      [20, [CLUSTER]],
      [50, []],
    ],
  },
  {
    name: 'one worker loses Chroma for ten minutes while another still reaches it',
    alert: 'SluiceDependencyDown',
    severity: 'critical',
    series: [
      [`sluice_dependency_up{job="sluice-worker", ${IC}, pod="w-1", dependency="chroma"}`, '1x5 0x10 1x10'],
      [`sluice_dependency_up{job="sluice-worker", ${IC}, pod="w-2", dependency="chroma"}`, '1x25'],
      [`sluice_dependency_up{job="sluice-api", ${IC}, pod="api-1", dependency="postgres"}`, '1x25'],
    ],
    expect: [
      [5, []],
      [12, [{ ...CLUSTER, dependency: 'chroma' }]],
      [20, []],
    ],
  },
  {
    name: 'the autoscaler runs its fallback for a quarter of an hour, then scales again',
    alert: 'SluiceAutoscalerFallback',
    severity: 'warning',
    series: [
      [`sluice_cluster_autoscaler_reason{${OP_OF}, ${IC}, reason="Fallback"}`, '1x15'],
      [`sluice_cluster_autoscaler_reason{${OP_OF}, ${IC}, reason="ScaleUp"}`, '_x15 1x15'],
    ],
    expect: [
      [3, []],
      [10, [CLUSTER]],
      [25, []],
    ],
  },
];
