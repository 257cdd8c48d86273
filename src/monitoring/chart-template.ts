// manifests/monitoring as templates of charts/sluice, behind `monitoring.enabled`, with every
// alert threshold a value (`monitoring.thresholds`, defaulting to DEFAULT_ALERT_THRESHOLDS). The
// objects are the same builders' output; only the thresholds and the namespace become Helm's, and
// the alerts' own Go templates ({{ $labels.x }}) are escaped so that Helm leaves them. Pure.
import { stringify } from 'yaml';
import type { AlertThresholds } from './alert-thresholds.ts';
import { DEFAULT_ALERT_THRESHOLDS } from './alert-thresholds.ts';
import { podMonitors } from './pod-monitors.ts';
import { prometheusRule } from './prometheus-rule.ts';

/** Where the chart keeps the dashboard: .Files.Get reads it as it is, with Grafana's own braces. */
export const CHART_DASHBOARD_FILE = 'files/sluice-dashboard.json';

const marker = (key: string) => `__SLUICE_THRESHOLD_${key}__`;

/** Every threshold as a marker the rule's text carries where the value goes. */
const markers = Object.fromEntries(Object.keys(DEFAULT_ALERT_THRESHOLDS).map((k) => [k, marker(k)])) as unknown as AlertThresholds;

const toYaml = (o: object) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false });

/** Braces of the alerts' Go templates, escaped for Helm's: `{{` becomes `{{ "{{" }}`. */
const escapeBraces = (text: string) => text.replace(/\{\{|\}\}/g, (b) => `{{ "${b}" }}`);

function helmify(text: string): string {
  let out = escapeBraces(text).replaceAll('namespace: sluice-system', 'namespace: {{ .Release.Namespace }}');
  for (const key of Object.keys(DEFAULT_ALERT_THRESHOLDS)) out = out.replaceAll(marker(key), `{{ .Values.monitoring.thresholds.${key} }}`);
  return out;
}

export function monitoringChartTemplate(): string {
  const docs = [...podMonitors(), prometheusRule(markers)].map((d) => helmify(toYaml(d)).trimEnd());
  return [
    '# Generated from src/monitoring by `npm run gen:monitoring`. Do not edit by hand.',
    '{{- if .Values.monitoring.enabled }}',
    ...docs.map((d) => `---\n${d}`),
    '{{- if .Values.monitoring.dashboard }}',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: sluice-grafana-dashboard',
    '  namespace: {{ .Release.Namespace }}',
    '  labels:',
    '    app.kubernetes.io/name: sluice',
    '    grafana_dashboard: "1"',
    'data:',
    '  sluice.json: |',
    `{{ .Files.Get "${CHART_DASHBOARD_FILE}" | indent 4 }}`,
    '{{- end }}',
    '{{- end }}',
    '',
  ].join('\n');
}
