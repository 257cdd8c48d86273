// The job controller with nothing but the operator's ClusterRole (manifests/rbac/cluster-role.yaml):
// every call it makes for a job — its finalizer, status, Events, the manifest ConfigMap, the
// cluster's operator key — is allowed, so no 403 is ever logged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { jobController } from '../../src/controller/job/job-controller.ts';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { createOperator } from '../../src/controller/operator.ts';
import { quietLog } from '../support/controller.ts';
import { startFakeClusterApi, type FakeClusterApi } from '../support/fake-cluster-api.ts';
import { condition, getJob, readyCluster } from '../support/job-fixtures.ts';
import { createNamespace, eventually, kubeConfig, kubectlOk } from '../support/kube.ts';
import { operatorRoleIn } from '../support/rbac.ts';

const KEY = 'sk_rbac_test_key';
const admin = kubeConfig();
const core = admin.makeApiClient(CoreV1Api);

let ns: Awaited<ReturnType<typeof createNamespace>>;
let api: FakeClusterApi;
let manager: Manager;
let removeRole: (() => Promise<void>) | undefined;
const lines: string[] = [];

beforeAll(async () => {
  ns = await createNamespace('ijrbac');
  api = await startFakeClusterApi(KEY);
  const role = await operatorRoleIn(ns.name, `sluice-operator-${ns.name}`);
  removeRole = role.remove;
  const kc = role.kc;
  manager = createOperator({ kc, log: quietLog(lines), namespace: ns.name, httpPort: 0, httpHost: '127.0.0.1', leaderElection: false, controllers: [jobController], clusterApiUrl: api.url });
  await manager.start();
});
afterAll(async () => {
  await manager?.stop();
  await api?.close();
  await removeRole?.();
  await ns?.remove();
});

describe('the job controller with only the operator RBAC', () => {
  it('runs a job from a manifest ConfigMap and deletes it, with no 403', async () => {
    await readyCluster(ns.name, 'docs', KEY);
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: list }\ndata: { documents: "https://docs.example/a.pdf\\n" }\n');
    await kubectlOk(
      ['apply', '-n', ns.name, '-f', '-'],
      `apiVersion: sluice.dev/v1alpha1
kind: IngestionJob
metadata: { name: from-list }
spec:
  clusterRef: { name: docs }
  collection: handbooks
  sources: { manifest: { configMapRef: { name: list } } }
  deletionPolicy: Delete
`,
    );
    const j = await eventually('Running, accepted', async () => {
      const x = await getJob(ns.name, 'from-list');
      return x?.status?.phase === 'Running' && condition(x, 'Accepted')?.status === 'True' ? x : undefined;
    });
    expect(api.jobs.get(j.metadata.uid!)?.body.sources).toEqual({ manifest: { content: 'https://docs.example/a.pdf\n' } });
    await eventually('the Started Event', async () => (await core.listNamespacedEvent({ namespace: ns.name })).items.some((e) => e.reason === 'Started'));
    await kubectlOk(['delete', 'ij', 'from-list', '-n', ns.name, '--wait=true', '--timeout=60s']);
    expect(lines.filter((l) => /forbidden|cannot (get|list|watch|create|patch|update|delete)/i.test(l))).toEqual([]);
    expect(lines.filter((l) => l.includes('reconcile failed'))).toEqual([]);
  });
});
