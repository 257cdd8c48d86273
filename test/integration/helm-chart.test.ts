// charts/sluice with a real helm built from the Go module proxy (dev/src/helm.ts): it lints, its
// default render is the same objects as `kubectl kustomize .` (so the two installs cannot drift),
// its values reach the objects, and it installs, upgrades and uninstalls on a real apiserver,
// keeping the CRDs. Installed in namespaced mode, which needs no ClusterRole: the cluster-wide
// install's names belong to the kustomize install other tests make on this apiserver.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { ensureHelm } from '@sluice/devenv/helm';
import { ensurePromtool } from '@sluice/devenv/prometheus';
import { run } from '@sluice/devenv/run';
import { createNamespace, kubectl, kubectlOk } from '../support/kube.ts';

const repo = new URL('../../', import.meta.url).pathname;
const chart = `${repo}charts/sluice`;
let helmBin = '';
/** Helm's cache, config and data, this run's own. */
let home = '';
const helm = (args: string[]) =>
  run(helmBin, args, { env: { ...process.env, KUBECONFIG: inject('kubeconfig'), HELM_CACHE_HOME: `${home}/cache`, HELM_CONFIG_HOME: `${home}/config`, HELM_DATA_HOME: `${home}/data` } });

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
}

const objects = (yaml: string): Obj[] =>
  parseAllDocuments(yaml)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
const id = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const byId = (os: Obj[]) => Object.fromEntries(os.map((o) => [id(o), o]));
/** Helm's own labels, which the kustomize install does not carry. */
const HELM_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/instance', 'app.kubernetes.io/version'];
function withoutHelmLabels(o: Obj): Obj {
  if (!o.metadata.labels) return o;
  const labels = Object.fromEntries(Object.entries(o.metadata.labels).filter(([k]) => !HELM_LABELS.includes(k)));
  return { ...o, metadata: { ...o.metadata, labels } };
}
const template = async (...args: string[]) => objects((await helm(['template', 'sluice', chart, '--namespace', 'sluice-system', '--include-crds', ...args])).stdout);

let ns: Awaited<ReturnType<typeof createNamespace>>;
let watched: Awaited<ReturnType<typeof createNamespace>>;

beforeAll(async () => {
  helmBin = await ensureHelm();
  home = mkdtempSync(join(tmpdir(), 'sluice-helm-'));
  ns = await createNamespace('helm');
  watched = await createNamespace('helmw');
}, 30 * 60_000);
afterAll(async () => {
  await helm(['uninstall', 'sluice', '--namespace', ns.name]).catch(() => undefined);
  await watched?.remove();
  await ns?.remove();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('charts/sluice', () => {
  it('passes helm lint --strict', async () => {
    const r = await helm(['lint', '--strict', chart]);
    expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders with default values the objects `kubectl kustomize .` builds, the namespace aside', async () => {
    const kustomized = objects(await kubectlOk(['kustomize', repo])).filter((o) => o.kind !== 'Namespace');
    const rendered = (await template()).map(withoutHelmLabels);
    expect(Object.keys(byId(rendered)).sort()).toEqual(Object.keys(byId(kustomized)).sort());
    const want = byId(kustomized);
    for (const o of rendered) expect(o, id(o)).toEqual(want[id(o)]);
  });

  it('takes the image, placement, priority, resources and pull secrets from values', async () => {
    const set = [
      '--set', 'image.repository=registry.test/sluice', '--set', 'image.tag=2.0', '--set', 'image.pullPolicy=Always',
      '--set', 'nodeSelector.pool=ops', '--set', 'priorityClassName=platform', '--set', 'resources.limits.memory=512Mi',
      '--set', 'tolerations[0].key=ops', '--set', 'tolerations[0].operator=Exists', '--set', 'imagePullSecrets[0].name=regcred',
    ];
    const deploy = (await template(...set)).find((o) => o.kind === 'Deployment') as Obj & { spec: { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } } };
    const pod = deploy.spec.template.spec;
    expect(pod.containers[0]).toMatchObject({ image: 'registry.test/sluice:2.0', imagePullPolicy: 'Always', resources: { limits: { memory: '512Mi' } } });
    expect(pod).toMatchObject({ nodeSelector: { pool: 'ops' }, priorityClassName: 'platform', tolerations: [{ key: 'ops', operator: 'Exists' }], imagePullSecrets: [{ name: 'regcred' }] });
  });

  it('in namespaced mode grants the ClusterRole\'s rules as a Role in each watched namespace, and nothing cluster-wide', async () => {
    const os = await template('--set', 'watchNamespaces={team-a,team-b}');
    expect(os.filter((o) => o.kind.startsWith('Cluster') && o.kind !== 'CustomResourceDefinition')).toEqual([]);
    const clusterRole = objects(await kubectlOk(['kustomize', repo])).find((o) => o.kind === 'ClusterRole')!;
    for (const team of ['team-a', 'team-b']) {
      const role = os.find((o) => o.kind === 'Role' && o.metadata.namespace === team && o.metadata.name === 'sluice-operator')!;
      expect(role.rules).toEqual(clusterRole.rules);
      expect(os.find((o) => o.kind === 'RoleBinding' && o.metadata.namespace === team)).toMatchObject({ subjects: [{ kind: 'ServiceAccount', name: 'sluice-operator', namespace: 'sluice-system' }] });
    }
    const deploy = os.find((o) => o.kind === 'Deployment') as Obj & { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    expect(deploy.spec.template.spec.containers[0]!.args).toEqual(['controller', '--watch-namespaces=team-a,team-b']);
  });

  it('with monitoring enabled renders manifests/monitoring, the alert thresholds from values, valid for promtool', async () => {
    const files = ['pod-monitors.yaml', 'prometheus-rule.yaml', 'grafana-dashboard.yaml'].flatMap((f) => objects(readFileSync(`${repo}manifests/monitoring/${f}`, 'utf8')));
    const monitoringKinds = new Set(['PodMonitor', 'PrometheusRule', 'ConfigMap']);
    const rendered = (await template('--set', 'monitoring.enabled=true')).filter((o) => monitoringKinds.has(o.kind));
    expect(byId(rendered)).toEqual(byId(files));
    expect((await template()).filter((o) => monitoringKinds.has(o.kind))).toEqual([]);
    expect((await template('--set', 'monitoring.enabled=true', '--set', 'monitoring.dashboard=false')).filter((o) => o.kind === 'ConfigMap')).toEqual([]);

    const changed = (await template('--set', 'monitoring.enabled=true', '--set', 'monitoring.thresholds.apiErrorRatio=0.2', '--set', 'monitoring.thresholds.jobStalledMinutes=45'))
      .find((o) => o.kind === 'PrometheusRule') as Obj & { spec: { groups: { rules: { alert: string; expr: string; annotations: { summary: string } }[] }[] } };
    const rules = changed.spec.groups[0]!.rules;
    const alert = (name: string) => rules.find((r) => r.alert === name)!;
    expect(alert('SluiceApiErrors').expr).toMatch(/> 0\.2$/);
    expect(alert('SluiceJobStalled').expr).toContain('[45m]');
    expect(alert('SluiceJobStalled').annotations.summary).toBe('IngestionJob {{ $labels.namespace }}/{{ $labels.ingestion_job }} has finished no document for 45 minutes');
    const rulesFile = join(home, 'rules.yaml');
    writeFileSync(rulesFile, stringify({ groups: changed.spec.groups }));
    const checked = await run(await ensurePromtool(), ['check', 'rules', rulesFile]);
    expect(checked.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('installs, upgrades to a new image and uninstalls, keeping the CRDs', async () => {
    // The CRDs are this apiserver's already, applied by the test setup under its own field manager.
    const common = ['--namespace', ns.name, '--set', `watchNamespaces={${watched.name}}`, '--skip-crds'];
    await helm(['install', 'sluice', chart, ...common]);
    const image = async () => (await kubectlOk(['get', 'deployment', 'sluice-operator', '-n', ns.name, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).trim();
    expect(await image()).toBe('ghcr.io/sluice-dev/sluice:0.1.0');
    expect((await kubectl(['get', 'role', 'sluice-operator', '-n', watched.name])).code).toBe(0);
    await helm(['upgrade', 'sluice', chart, ...common, '--set', 'image.tag=0.1.1']);
    expect(await image()).toBe('ghcr.io/sluice-dev/sluice:0.1.1');
    await helm(['uninstall', 'sluice', '--namespace', ns.name]);
    expect((await kubectl(['get', 'deployment', 'sluice-operator', '-n', ns.name])).code).not.toBe(0);
    expect((await kubectl(['get', 'role', 'sluice-operator', '-n', watched.name])).code).not.toBe(0);
    expect((await kubectl(['get', 'crd', 'ingestionclusters.sluice.dev', 'ingestionjobs.sluice.dev'])).code).toBe(0);
  });
});
