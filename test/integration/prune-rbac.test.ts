// Pruning with only the operator's own RBAC: the rules of manifests/rbac/cluster-role.yaml, bound
// to a service account of this test (so the shared install is not touched), let it delete the
// children a spec stops wanting, with no denial.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { clusterManifest, pgSecret, quietLog, startController } from '../support/controller.ts';
import { createNamespace, eventually, kubeConfig, kubectlOk } from '../support/kube.ts';
import { operatorRoleIn } from '../support/rbac.ts';

const admin = kubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const apps = admin.makeApiClient(AppsV1Api);

let ns: Awaited<ReturnType<typeof createNamespace>>;
let manager: Manager | undefined;
const lines: string[] = [];
let removeRole: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ns = await createNamespace('prune-rbac');
  const role = await operatorRoleIn(ns.name, `sluice-prune-test-${ns.name}`);
  removeRole = role.remove;
  manager = await startController(ns.name, role.kc, quietLog(lines));
});
afterAll(async () => {
  await manager?.stop();
  await removeRole?.();
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
