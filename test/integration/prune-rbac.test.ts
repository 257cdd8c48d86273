// Pruning with only the operator's own RBAC: the rules of manifests/rbac/cluster-role.yaml, bound
// to a service account of this test (so the shared install is not touched), let it delete the
// children a spec stops wanting, with no denial.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { Manager } from '../../src/controller/manager.ts';
import { clusterManifest, pgSecret, quietLog, startController } from '../support/controller.ts';
import { createNamespace, eventually, kubeConfig, kubectlOk } from '../support/kube.ts';

const repo = new URL('../../', import.meta.url).pathname;
const admin = kubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const apps = admin.makeApiClient(AppsV1Api);
const rbac = admin.makeApiClient(RbacAuthorizationV1Api);

let ns: Awaited<ReturnType<typeof createNamespace>>;
let manager: Manager | undefined;
const lines: string[] = [];
const role = () => `sluice-prune-test-${ns.name}`;

beforeAll(async () => {
  ns = await createNamespace('prune-rbac');
  const doc = parseAllDocuments(readFileSync(`${repo}manifests/rbac/cluster-role.yaml`, 'utf8'))
    .map((d) => d.toJS() as { kind: string; rules: V1PolicyRule[] })
    .find((d) => d.kind === 'ClusterRole')!;
  await rbac.createClusterRole({ body: { metadata: { name: role() }, rules: doc.rules } });
  await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: 'operator' } } });
  await rbac.createClusterRoleBinding({
    body: { metadata: { name: role() }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role() }, subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace: ns.name }] },
  });
  const token = await core.createNamespacedServiceAccountToken({ namespace: ns.name, name: 'operator', body: { spec: { expirationSeconds: 3600 } } });
  const cluster = admin.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: cluster.server, caFile: cluster.caFile }],
    users: [{ name: 'operator', token: token.status!.token }],
    contexts: [{ name: 'c', cluster: 'c', user: 'operator' }],
    currentContext: 'c',
  });
  manager = await startController(ns.name, kc, quietLog(lines));
});
afterAll(async () => {
  await manager?.stop();
  await rbac.deleteClusterRoleBinding({ name: role() }).catch(() => undefined);
  await rbac.deleteClusterRole({ name: role() }).catch(() => undefined);
  await ns?.remove();
});

const apply = (yaml: string) => kubectlOk(['apply', '-n', ns.name, '-f', '-'], yaml);

describe('the operator with only its own RBAC', () => {
  it('prunes Managed Redis on a switch to External, with no 403', async () => {
    await apply(pgSecret('p'));
    await apply('apiVersion: v1\nkind: Secret\nmetadata: { name: p-redis-url }\nstringData: { url: "redis://:pw@redis.example:6379" }\n');
    await apply(clusterManifest('p'));
    await eventually('the Redis StatefulSet', () => apps.readNamespacedStatefulSet({ namespace: ns.name, name: 'p-redis' }).catch(() => undefined));
    await apply(clusterManifest('p', '  redis: { mode: External, externalSecretRef: { name: p-redis-url } }'));
    await eventually('the Redis children gone', async () => {
      const gone = await Promise.all([
        apps.readNamespacedStatefulSet({ namespace: ns.name, name: 'p-redis' }).then(() => false, () => true),
        core.readNamespacedService({ namespace: ns.name, name: 'p-redis' }).then(() => false, () => true),
        core.readNamespacedServiceAccount({ namespace: ns.name, name: 'p-redis' }).then(() => false, () => true),
      ]);
      return gone.every(Boolean);
    }, 60_000);
    expect(lines.filter((l) => /cannot (get|list|watch|create|patch|update|delete)|forbidden/i.test(l))).toEqual([]);
  });
});
