// Namespaced mode (overlays/namespaced): the operator with only the Role of each watched
// namespace, and nothing cluster-wide, watches two namespaces, runs a cluster and a job in them
// with no 403, leaves a third namespace alone, and `kubectl auth can-i` shows it cannot read a
// Secret or list a pod anywhere else.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { createOperator } from '../../src/controller/operator.ts';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { clusterManifest, pgSecret, quietLog } from '../support/controller.ts';
import { ensureFakeNode, startFakeKubelet } from '../support/fake-kubelet.ts';
import { startFakeClusterApi, type FakeClusterApi } from '../support/fake-cluster-api.ts';
import { condition, getJob } from '../support/job-fixtures.ts';
import { createNamespace, eventually, kubeConfig, kubectl, kubectlOk } from '../support/kube.ts';
import { serviceAccountKubeConfig } from '../support/rbac.ts';

const repo = new URL('../../', import.meta.url).pathname;
const KEY = 'sk_namespaced_mode_key';
type Ns = Awaited<ReturnType<typeof createNamespace>>;
let home: Ns;
let watched: Ns[];
let other: Ns;
let api: FakeClusterApi;
let manager: Manager;
let kubelets: { stop: () => void }[] = [];
const lines: string[] = [];
let as = '';

/** The overlay's Role and RoleBinding for `namespace`, bound to this test's own ServiceAccount. */
async function grantIn(namespace: string): Promise<void> {
  type Doc = { kind: string; metadata: { namespace?: string }; subjects?: unknown[] };
  const docs = parseAllDocuments(await kubectlOk(['kustomize', `${repo}overlays/namespaced/watched-namespace`])).map((d) => d.toJS() as Doc);
  for (const d of docs) {
    d.metadata.namespace = namespace;
    if (d.kind === 'RoleBinding') d.subjects = [{ kind: 'ServiceAccount', name: 'operator', namespace: home.name }];
    await kubectlOk(['apply', '-f', '-'], JSON.stringify(d));
  }
}

beforeAll(async () => {
  home = await createNamespace('nsop');
  watched = [await createNamespace('nsa'), await createNamespace('nsb')];
  other = await createNamespace('nsx');
  await kubeConfig().makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: home.name, body: { metadata: { name: 'operator' } } });
  as = `--as=system:serviceaccount:${home.name}:operator`;
  for (const ns of watched) await grantIn(ns.name);
  await ensureFakeNode();
  kubelets = watched.map((ns) => startFakeKubelet(ns.name));
  api = await startFakeClusterApi(KEY);
  const kc = await serviceAccountKubeConfig(home.name, 'operator');
  manager = createOperator({ kc, log: quietLog(lines), namespaces: watched.map((n) => n.name), httpPort: 0, httpHost: '127.0.0.1', leaderElection: false, image: 'example.com/sluice:test', clusterApiUrl: api.url });
  await manager.start();
}, 5 * 60_000);
afterAll(async () => {
  kubelets.forEach((k) => k.stop());
  await manager?.stop();
  await api?.close();
  for (const ns of [...(watched ?? []), other, home]) await ns?.remove();
});

const status = async (ns: string, name: string) => JSON.parse(await kubectlOk(['get', 'ic', name, '-n', ns, '-o', 'json'])) as { metadata: { generation: number }; status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] } };

describe('namespaced mode', () => {
  it('keeps the Role of a watched namespace equal to the ClusterRole it replaces', () => {
    const rules = (path: string) => parseAllDocuments(readFileSync(`${repo}${path}`, 'utf8')).map((d) => d.toJS() as { rules?: unknown[] }).find((d) => d.rules)!.rules;
    expect(rules('overlays/namespaced/watched-namespace/role.yaml')).toEqual(rules('manifests/rbac/cluster-role.yaml'));
  });

  it('builds an install with no cluster-wide rights that watches the namespaces it names', async () => {
    type Doc = { kind: string; metadata: { name: string; namespace?: string }; spec?: { template: { spec: { containers: { args?: string[] }[] } } } };
    const docs = parseAllDocuments(await kubectlOk(['kustomize', `${repo}overlays/namespaced`])).map((d) => d.toJS() as Doc);
    expect(docs.filter((d) => d.kind.startsWith('Cluster'))).toEqual([]);
    expect(docs.filter((d) => d.kind === 'Role' || d.kind === 'RoleBinding').map((d) => `${d.kind}/${d.metadata.namespace}/${d.metadata.name}`).sort()).toEqual([
      'Role/docs/sluice-operator',
      'Role/sluice-system/sluice-operator-leader-election',
      'Role/sluice-system/sluice-operator-self',
      'RoleBinding/docs/sluice-operator',
      'RoleBinding/sluice-system/sluice-operator-leader-election',
      'RoleBinding/sluice-system/sluice-operator-self',
    ]);
    const operator = docs.find((d) => d.kind === 'Deployment')!;
    expect(operator.spec!.template.spec.containers[0]!.args).toEqual(['controller', '--watch-namespaces=docs']);
    expect(parse(readFileSync(`${repo}overlays/namespaced/docs/kustomization.yaml`, 'utf8')).namespace).toBe('docs');
  });

  it('runs a cluster and a job in the watched namespaces with only their Roles, and no 403', async () => {
    const [a, b] = watched.map((n) => n.name) as [string, string];
    // The key the fake cluster API expects, in place before the operator would generate one.
    await kubectlOk(['apply', '-n', a, '-f', '-'], `apiVersion: v1\nkind: Secret\nmetadata: { name: docs-operator-key }\nstringData: { key: ${KEY} }\n`);
    for (const ns of [a, b, other.name]) {
      await kubectlOk(['apply', '-n', ns, '-f', '-'], pgSecret('docs'));
      await kubectlOk(['apply', '-n', ns, '-f', '-'], clusterManifest('docs'));
    }
    for (const ns of [a, b]) {
      await eventually(`the cluster in ${ns} Ready`, async () => {
        const c = await status(ns, 'docs');
        return c.status?.observedGeneration === c.metadata.generation && c.status.conditions?.find((x) => x.type === 'Ready')?.status === 'True';
      }, 90_000);
    }
    await kubectlOk(['apply', '-n', a, '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: list }\ndata: { documents: "https://docs.example/a.pdf\\n" }\n');
    await kubectlOk(['apply', '-n', a, '-f', '-'], `apiVersion: sluice.dev/v1alpha1
kind: IngestionJob
metadata: { name: handbooks }
spec:
  clusterRef: { name: docs }
  collection: handbooks
  sources: { manifest: { configMapRef: { name: list } } }
`);
    await eventually('the job Running and Accepted', async () => {
      const j = await getJob(a, 'handbooks');
      return j?.status?.phase === 'Running' && condition(j, 'Accepted')?.status === 'True';
    });
    // A namespace it does not watch is left alone.
    expect((await status(other.name, 'docs')).status).toBeUndefined();
    expect(lines.filter((l) => /forbidden|cannot (get|list|watch|create|patch|update|delete)/i.test(l))).toEqual([]);
  });

  it('cannot read a Secret or list a pod outside the namespaces it watches', async () => {
    const can = async (...args: string[]) => (await kubectl(['auth', 'can-i', ...args, as])).stdout.trim();
    expect(await can('get', 'secrets', '-n', watched[0]!.name)).toBe('yes');
    expect(await can('get', 'secrets', '-n', other.name)).toBe('no');
    expect(await can('get', 'secrets', '-n', 'kube-system')).toBe('no');
    expect(await can('list', 'secrets', '-n', watched[0]!.name)).toBe('no');
    expect(await can('list', 'pods', '-A')).toBe('no');
    expect(await can('list', 'pods', '-n', other.name)).toBe('no');
    expect(await can('list', 'ingestionclusters.sluice.dev', '-A')).toBe('no');
  });
});
