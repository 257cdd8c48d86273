// The Prometheus Operator's PodMonitors of Sluice: the operator in its namespace, and the API and
// worker pods of every IngestionCluster in any namespace. Each target gets a fixed `job` (the
// alerts and the dashboard select by it) and its cluster's name as `ingestion_cluster`. Pure.
import { FIELD_MANAGER, LABEL_COMPONENT, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_NAME } from '../controller/constants.ts';

export const SCRAPE_JOBS = { operator: 'sluice-operator', api: 'sluice-api', worker: 'sluice-worker' } as const;

/** A pod label as Prometheus's Kubernetes discovery names it. */
const podLabel = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;

/**
 * `honorLabels` keeps a scraped series' own `namespace` (the operator's per-cluster and per-job
 * series carry their resource's), where Prometheus would rename it `exported_namespace`.
 */
function podMonitor(name: string, selector: Record<string, string>, port: string, relabelings: object[], anyNamespace: boolean, honorLabels = false): object {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name, namespace: 'sluice-system', labels: { [LABEL_NAME]: 'sluice' } },
    spec: {
      ...(anyNamespace ? { namespaceSelector: { any: true } } : {}),
      selector: { matchLabels: selector },
      podMetricsEndpoints: [{ port, path: '/metrics', interval: '30s', ...(honorLabels ? { honorLabels } : {}), relabelings: [{ action: 'replace', targetLabel: 'job', replacement: name }, ...relabelings] }],
    },
  };
}

export function podMonitors(): object[] {
  const cluster = { action: 'replace', sourceLabels: [podLabel(LABEL_INSTANCE)], targetLabel: 'ingestion_cluster' };
  const dataPlane = (component: 'api' | 'worker') => ({ [LABEL_NAME]: 'sluice', [LABEL_MANAGED_BY]: FIELD_MANAGER, [LABEL_COMPONENT]: component });
  return [
    podMonitor(SCRAPE_JOBS.operator, { [LABEL_NAME]: 'sluice', [LABEL_COMPONENT]: 'operator' }, 'http', [], false, true),
    podMonitor(SCRAPE_JOBS.api, dataPlane('api'), 'metrics', [cluster], true),
    podMonitor(SCRAPE_JOBS.worker, dataPlane('worker'), 'metrics', [cluster], true),
  ];
}
