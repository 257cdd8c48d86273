// The Prometheus Operator's PodMonitor and PrometheusRule CRDs, so that tests apply
// manifests/monitoring to a real apiserver with their schemas. They ship in the operator's Go
// module (example/prometheus-operator-crd), fetched from the module proxy once per version.
import { cacheRoot } from './binaries.ts';
import { ensureModuleFiles, type ModuleFiles } from './module-files.ts';

export const PROMETHEUS_OPERATOR_VERSION = 'v0.85.0';

const SPEC: ModuleFiles<'podMonitors' | 'prometheusRules'> = {
  name: 'prometheus-operator',
  module: 'github.com/prometheus-operator/prometheus-operator',
  version: PROMETHEUS_OPERATOR_VERSION,
  files: {
    podMonitors: 'example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml',
    prometheusRules: 'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml',
  },
};

export function ensurePrometheusOperatorCrds(opts: { root?: string } = {}): Promise<Record<'podMonitors' | 'prometheusRules', string>> {
  return ensureModuleFiles(opts.root ?? cacheRoot(), SPEC);
}
