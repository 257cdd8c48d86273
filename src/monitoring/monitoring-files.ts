// The generated files of manifests/monitoring, as path and content, shared by the generator and
// the drift test. The kustomization beside them is written by hand.
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { DEFAULT_ALERT_THRESHOLDS } from './alert-thresholds.ts';
import { dashboard, dashboardConfigMap } from './dashboard.ts';
import { podMonitors } from './pod-monitors.ts';
import { prometheusRule } from './prometheus-rule.ts';
import { CHART_DASHBOARD_FILE, monitoringChartTemplate } from './chart-template.ts';

export const MONITORING_DIR = fileURLToPath(new URL('../../manifests/monitoring/', import.meta.url));
export const CHART_DIR = fileURLToPath(new URL('../../charts/sluice/', import.meta.url));

const HEADER = '# Generated from src/monitoring by `npm run gen:monitoring`. Do not edit by hand.\n';
const yaml = (docs: object[]) => HEADER + docs.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');

export function monitoringFiles(): { path: string; content: string }[] {
  return [
    { path: `${MONITORING_DIR}pod-monitors.yaml`, content: yaml(podMonitors()) },
    { path: `${MONITORING_DIR}prometheus-rule.yaml`, content: yaml([prometheusRule(DEFAULT_ALERT_THRESHOLDS)]) },
    { path: `${MONITORING_DIR}grafana-dashboard.yaml`, content: yaml([dashboardConfigMap()]) },
    // The same dashboard to import by hand (Dashboards > New > Import).
    { path: `${MONITORING_DIR}sluice-dashboard.json`, content: `${JSON.stringify(dashboard(), null, 2)}\n` },
    // The chart's copy of the component, its thresholds values.
    { path: `${CHART_DIR}templates/monitoring.yaml`, content: monitoringChartTemplate() },
    { path: `${CHART_DIR}${CHART_DASHBOARD_FILE}`, content: `${JSON.stringify(dashboard(), null, 2)}\n` },
  ];
}
