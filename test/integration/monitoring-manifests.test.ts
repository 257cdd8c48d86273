// manifests/monitoring as a user adds it, to a real apiserver that serves the Prometheus
// Operator's own CRDs (from its Go module, dev/src/prometheus-operator-crds.ts): an overlay with
// the component applies, and the threshold patch docs/operations.md shows changes the rule.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePrometheusOperatorCrds } from '@sluice/devenv/prometheus-operator-crds';
import { kubectl, kubectlOk } from '../support/kube.ts';

const component = new URL('../../manifests/monitoring', import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  const crds = await ensurePrometheusOperatorCrds();
  await kubectlOk(['apply', '--server-side', '--field-manager=monitoring-test', '-f', crds.podMonitors, '-f', crds.prometheusRules]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/podmonitors.monitoring.coreos.com', 'crd/prometheusrules.monitoring.coreos.com']);
  await kubectlOk(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: sluice-system\n');
  dir = mkdtempSync(join(tmpdir(), 'sluice-monitoring-'));
}, 10 * 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An overlay of the component alone, with `extra` appended to its kustomization. */
function overlay(name: string, extra = ''): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  // kustomize takes a component's path relative to the overlay only.
  writeFileSync(join(path, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ncomponents:\n  - ${relative(path, component)}\n${extra}`);
  return path;
}

describe('manifests/monitoring', () => {
  it('applies as a component: three PodMonitors, the rule and the dashboard, valid against the CRDs', async () => {
    const applied = await kubectl(['apply', '-k', overlay('plain')]);
    expect(applied.code, applied.stderr).toBe(0);
    const names = (await kubectlOk(['get', 'podmonitors,prometheusrules,configmaps', '-n', 'sluice-system', '-l', 'app.kubernetes.io/name=sluice', '-o', 'name'])).trim().split('\n').sort();
    expect(names).toEqual([
      'configmap/sluice-grafana-dashboard',
      'podmonitor.monitoring.coreos.com/sluice-api',
      'podmonitor.monitoring.coreos.com/sluice-operator',
      'podmonitor.monitoring.coreos.com/sluice-worker',
      'prometheusrule.monitoring.coreos.com/sluice',
    ]);
  });

  it('takes the threshold patch of docs/operations.md', async () => {
    const patch = [
      'patches:',
      '  - target: { kind: PrometheusRule, name: sluice }',
      '    patch: |-',
      '      - op: replace',
      '        path: /spec/groups/0/rules/2/for',
      '        value: 30m',
      '',
    ].join('\n');
    await kubectlOk(['apply', '-k', overlay('patched', patch)]);
    const rule = JSON.parse(await kubectlOk(['get', 'prometheusrule', 'sluice', '-n', 'sluice-system', '-o', 'json'])) as { spec: { groups: { rules: { alert: string; for?: string }[] }[] } };
    expect(rule.spec.groups[0]!.rules[2]).toMatchObject({ alert: 'SluiceReconcileErrors', for: '30m' });
  });
});
