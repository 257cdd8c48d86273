// The monitoring manifests against what they describe: generated files in step with their
// builders, PodMonitors that select the pods and ports Sluice runs, and alerts that read only
// metrics some process of Sluice exports (Prometheus would evaluate a misspelt one to nothing).
import { readFileSync } from 'node:fs';
import type { Queue } from 'bullmq';
import { relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createApiMetrics } from '../../src/api/metrics.ts';
import { labels } from '../../src/controller/builders/names.ts';
import { buildApiDeployment } from '../../src/controller/builders/api.ts';
import { buildWorkerDeployment } from '../../src/controller/builders/worker.ts';
import { RESOURCE_METRICS } from '../../src/controller/metrics/resource-samples.ts';
import { createMetrics } from '../../src/controller/runtime/metrics.ts';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { DEFAULT_ALERT_THRESHOLDS } from '../../src/monitoring/alert-thresholds.ts';
import { CHART_DIR, MONITORING_DIR, monitoringFiles } from '../../src/monitoring/monitoring-files.ts';
import { podMonitors } from '../../src/monitoring/pod-monitors.ts';
import { alertRules } from '../../src/monitoring/prometheus-rule.ts';
import { dashboardPanels } from '../../src/monitoring/dashboard.ts';
import { createWorkerMetrics } from '../../src/worker/metrics.ts';

const repo = new URL('../../', import.meta.url).pathname;

describe('manifests/monitoring and the chart\'s copy', () => {
  it.each(monitoringFiles().map((f) => [relative(repo, f.path), f] as const))('%s matches src/monitoring (run `npm run gen:monitoring`)', (_name, file) => {
    expect(readFileSync(file.path, 'utf8')).toBe(file.content);
  });

  it('is a component of every generated manifest', () => {
    const k = parseAllDocuments(readFileSync(`${MONITORING_DIR}kustomization.yaml`, 'utf8'))[0]!.toJS();
    expect(k.kind).toBe('Component');
    expect(k.resources).toEqual(monitoringFiles().filter((f) => f.path.startsWith(MONITORING_DIR) && f.path.endsWith('.yaml')).map((f) => f.path.split('/').pop()));
  });

  it('gives the chart the same alert thresholds by default', () => {
    const values = parse(readFileSync(`${CHART_DIR}values.yaml`, 'utf8')) as { monitoring: { thresholds: unknown } };
    expect(values.monitoring.thresholds).toEqual(DEFAULT_ALERT_THRESHOLDS);
  });
});

type PodMonitor = { metadata: { name: string }; spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string }[] } };

describe('the PodMonitors', () => {
  const [operator, api, worker] = podMonitors() as PodMonitor[];
  const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
  const cluster = defaultedCluster('docs', 'ns', { stores } as never);
  const subset = (selector: Record<string, string>, podLabels: Record<string, string>) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);

  it.each([
    ['API', api!, buildApiDeployment(cluster, { image: 'img' }), labels(cluster, 'api')],
    ['worker', worker!, buildWorkerDeployment(cluster, { image: 'img' }), labels(cluster, 'worker')],
  ])("select the %s pods and a port they name", (_name, monitor, deployment, podLabels) => {
    const template = (deployment as { spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { ports?: { name: string }[] }[] } } } }).spec.template;
    expect(subset(monitor.spec.selector.matchLabels, template.metadata.labels)).toBe(true);
    expect(subset(monitor.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(template.spec.containers.flatMap((c) => c.ports ?? []).map((p) => p.name)).toContain(monitor.spec.podMetricsEndpoints[0]!.port);
  });

  it("select the operator's pods and its metrics port, as manifests/manager deploys them", () => {
    const [deployment] = parseAllDocuments(readFileSync(new URL('../../manifests/manager/deployment.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
    const template = deployment.spec.template;
    expect(subset(operator!.spec.selector.matchLabels, template.metadata.labels)).toBe(true);
    expect(template.spec.containers[0].ports.map((p: { name: string }) => p.name)).toContain(operator!.spec.podMetricsEndpoints[0]!.port);
  });
});

describe('the queries of the alerts and the dashboard', () => {
  const exported = new Set([
    'up',
    'sluice_dependency_up',
    ...Object.keys(RESOURCE_METRICS),
    ...[createApiMetrics().registry, createWorkerMetrics({} as Queue).registry, createMetrics().registry].flatMap((r) => r.getMetricsAsArray().map((m) => m.name)),
  ]);
  const expectExported = (exprs: string) => {
    const names = [...exprs.matchAll(/\b([a-z_]+)\{/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(exported, name).toContain(name);
  };

  it.each(alertRules(DEFAULT_ALERT_THRESHOLDS).map((r) => [r.alert, r.expr] as const))('%s reads only metrics Sluice exports', (_name, expr) => {
    expectExported(expr);
  });

  it.each(dashboardPanels().map((p) => [p.title, p.targets.map((t) => t.expr).join('\n')] as const))("the dashboard's panel %s reads only metrics Sluice exports", (_name, exprs) => {
    expectExported(exprs);
  });

  it('each alert links its runbook section in docs/operations.md', () => {
    const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const headings = new Set([...doc.matchAll(/^#{2,4} (\S+)/gm)].map((m) => m[1]!.toLowerCase()));
    for (const r of alertRules(DEFAULT_ALERT_THRESHOLDS)) expect(headings, r.alert).toContain(r.annotations.runbook_url.split('#')[1]);
  });
});
