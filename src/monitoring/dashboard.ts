// Sluice's Grafana dashboard: the queue against the workers, throughput, failures, latency by
// stage, the API, uploads, and each job's progress and ETA, for the clusters picked in its
// variables. Queries read the PodMonitors' jobs (pod-monitors.ts) and the operator's resource
// series (controller/metrics/resource-samples.ts). Pure.
import { SCRAPE_JOBS } from './pod-monitors.ts';

export interface Panel {
  title: string;
  type: 'timeseries' | 'table';
  unit: string;
  targets: { expr: string; legendFormat?: string; refId: string; instant?: boolean; format?: 'table' }[];
  gridPos: { x: number; y: number; w: number; h: number };
  description: string;
}

const SCOPE = 'namespace=~"$namespace", ingestion_cluster=~"$cluster"';
const W = `job="${SCRAPE_JOBS.worker}", ${SCOPE}`;
const A = `job="${SCRAPE_JOBS.api}", ${SCOPE}`;
const RATE = '[$__rate_interval]';

function panel(i: number, title: string, unit: string, description: string, queries: [string, string][], width = 12): Panel {
  return {
    title,
    type: 'timeseries',
    unit,
    description,
    gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: width, h: 8 },
    targets: queries.map(([expr, legendFormat], k) => ({ expr, legendFormat, refId: String.fromCharCode(65 + k) })),
  };
}

export function dashboardPanels(): Panel[] {
  const quantiles = (metric: string, selector: string, by: string): [string, string][] =>
    [0.5, 0.95].map((q) => [`histogram_quantile(${q}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket{${selector}}${RATE})))`, `${by ? `{{${by}}} ` : ''}p${q * 100}`]);
  const jobs = 'namespace, ingestion_job';
  return [
    panel(0, 'Queue and workers', 'short', 'Documents waiting in each cluster\'s queue, against the workers it wants, has ready, and has busy.', [
      [`sum by (ingestion_cluster) (sluice_cluster_queue_documents{${SCOPE}, state="waiting"})`, '{{ingestion_cluster}} waiting'],
      [`sum by (ingestion_cluster, state) (sluice_cluster_workers{${SCOPE}, state=~"desired|ready|busy"})`, '{{ingestion_cluster}} workers {{state}}'],
    ]),
    panel(1, 'Documents and pages a second', 'short', 'Documents ingested and pages parsed a second, by cluster.', [
      [`sum by (ingestion_cluster) (rate(sluice_documents_total{${W}, outcome="succeeded"}${RATE}))`, '{{ingestion_cluster}} documents/s'],
      [`sum by (ingestion_cluster) (rate(sluice_pages_total{${W}}${RATE}))`, '{{ingestion_cluster}} pages/s'],
    ]),
    panel(2, 'Failures by type', 'short', 'Documents failed for good a second, by typed error.', [[`sum by (error_type) (rate(sluice_documents_total{${W}, outcome="failed"}${RATE}))`, '{{error_type}}']]),
    panel(3, 'Document latency by stage', 's', 'Seconds a document spends in each stage (download, fetch, parse, ocr within parse, chunk, embed, store), p50 and p95.', quantiles('sluice_stage_duration_seconds', W, 'stage')),
    panel(4, 'API requests a second', 'reqps', 'Requests to the API by status.', [[`sum by (status) (rate(sluice_api_requests_total{${A}}${RATE}))`, '{{status}}']]),
    panel(5, 'API latency', 's', 'Seconds to answer, p50 and p95, over every route.', quantiles('sluice_api_request_duration_seconds', A, '')),
    panel(6, 'API errors a second', 'reqps', 'Answers with a 4xx or 5xx status, by error code.', [[`sum by (code) (rate(sluice_api_requests_total{${A}, status=~"[45].."}${RATE}))`, '{{code}}']]),
    panel(7, 'Uploads', 'Bps', 'Bytes of accepted uploads a second.', [[`sum by (ingestion_cluster) (rate(sluice_api_upload_bytes_total{${A}}${RATE}))`, '{{ingestion_cluster}}']]),
    {
      title: 'Jobs: progress and ETA',
      type: 'table',
      unit: 'short',
      description: 'Each IngestionJob of the picked clusters: the share of its documents finished, documents a second, and seconds left.',
      gridPos: { x: 0, y: 32, w: 24, h: 8 },
      targets: [
        [`sum by (${jobs}) (sluice_job_documents{${SCOPE}, state=~"succeeded|failed|skipped"}) / sum by (${jobs}) (sluice_job_documents{${SCOPE}, state="total"})`, 'A'],
        [`max by (${jobs}) (sluice_job_documents_per_second{${SCOPE}})`, 'B'],
        [`max by (${jobs}) (sluice_job_eta_seconds{${SCOPE}})`, 'C'],
      ].map(([expr, refId]) => ({ expr: expr!, refId: refId!, instant: true, format: 'table' as const })),
    },
  ];
}

/** A Grafana datasource variable, then namespace and cluster pickers read from the operator's series. */
function variables(): object[] {
  const query = (name: string, label: string, expr: string) => ({
    name,
    label,
    type: 'query',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    query: { query: expr, refId: name },
    definition: expr,
    includeAll: true,
    multi: true,
    allValue: '.*',
    refresh: 2,
    current: { text: 'All', value: '$__all' },
  });
  return [
    { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {} },
    query('namespace', 'Namespace', 'label_values(sluice_cluster_workers, namespace)'),
    query('cluster', 'IngestionCluster', 'label_values(sluice_cluster_workers{namespace=~"$namespace"}, ingestion_cluster)'),
  ];
}

export function dashboard(): object {
  const jobOverrides = [
    ['Value #A', 'Progress', 'percentunit'],
    ['Value #B', 'Documents/s', 'short'],
    ['Value #C', 'ETA', 's'],
  ].map(([name, display, unit]) => ({ matcher: { id: 'byName', options: name }, properties: [{ id: 'displayName', value: display }, { id: 'unit', value: unit }] }));
  return {
    uid: 'sluice',
    title: 'Sluice',
    tags: ['sluice'],
    schemaVersion: 39,
    editable: true,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: { list: variables() },
    panels: dashboardPanels().map((p, id) => ({
      id: id + 1,
      title: p.title,
      description: p.description,
      type: p.type,
      gridPos: p.gridPos,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      targets: p.targets.map((t) => ({ datasource: { type: 'prometheus', uid: '${datasource}' }, ...t })),
      fieldConfig: { defaults: { unit: p.unit }, overrides: p.type === 'table' ? jobOverrides : [] },
      ...(p.type === 'table' ? { transformations: [{ id: 'merge', options: {} }, { id: 'organize', options: { excludeByName: { Time: true } } }] } : {}),
    })),
  };
}

/** The dashboard as a ConfigMap that Grafana's sidecar picks up by its label. */
export function dashboardConfigMap(): object {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'sluice-grafana-dashboard', namespace: 'sluice-system', labels: { 'app.kubernetes.io/name': 'sluice', grafana_dashboard: '1' } },
    data: { 'sluice.json': `${JSON.stringify(dashboard(), null, 2)}\n` },
  };
}
