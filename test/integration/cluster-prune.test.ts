// The IngestionCluster controller reconciles what it no longer wants, on the real control plane:
// children a spec stops asking for are deleted (only when the cluster controls them), a field
// dropped from a child is removed, and the status is replaced rather than merged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, NetworkingV1Api } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../src/crd/ingestion-cluster.ts';
import { clusterStatusWriter } from '../../src/controller/cluster/cluster-status-writer.ts';
import { StatusConflictError } from '../../src/controller/runtime/errors.ts';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { clusterManifest, pgSecret, startController } from '../support/controller.ts';
import { ensureFakeNode, startFakeKubelet } from '../support/fake-kubelet.ts';
import { createNamespace, eventually, kubeConfig, kubectlOk } from '../support/kube.ts';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const net = kc.makeApiClient(NetworkingV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);

let ns: Awaited<ReturnType<typeof createNamespace>>;
let manager: Manager;
let kubelet: { stop: () => void };

beforeAll(async () => {
  ns = await createNamespace('prune');
  await ensureFakeNode();
  kubelet = startFakeKubelet(ns.name);
  manager = await startController(ns.name);
});
afterAll(async () => {
  kubelet?.stop();
  await manager?.stop();
  await ns?.remove();
});

const apply = (yaml: string) => kubectlOk(['apply', '-n', ns.name, '-f', '-'], yaml);
const getCluster = async (name: string) =>
  (await custom.getNamespacedCustomObject({ group: 'sluice.dev', version: 'v1alpha1', plural: 'ingestionclusters', namespace: ns.name, name })) as IngestionCluster;
const externalRedis = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata: { name: ${name}-redis-url }\nstringData: { url: "redis://:pw@redis.example:6379" }\n`;
const EXTERNAL = (name: string) => `  redis: { mode: External, externalSecretRef: { name: ${name}-redis-url } }`;
/** The Redis children of Managed mode, each read (undefined once gone). */
const redisChildren = (name: string) =>
  Promise.all([
    apps.readNamespacedStatefulSet({ namespace: ns.name, name: `${name}-redis` }).catch(() => undefined),
    core.readNamespacedService({ namespace: ns.name, name: `${name}-redis` }).catch(() => undefined),
    core.readNamespacedServiceAccount({ namespace: ns.name, name: `${name}-redis` }).catch(() => undefined),
    net.readNamespacedNetworkPolicy({ namespace: ns.name, name: `${name}-redis` }).catch(() => undefined),
  ]);
const applies = async () => (await manager.metrics.applies.get()).values.reduce((a, v) => a + v.value, 0);
const reconciles = async () => (await manager.metrics.reconciles.get()).values.reduce((a, v) => a + v.value, 0);
const pruned = async () => (await core.listNamespacedEvent({ namespace: ns.name })).items.filter((e) => e.reason === 'Pruned').length;

/** Once settled, a reconcile (an annotation triggers one without a spec change) applies and deletes nothing. */
async function expectConvergedCostsNothing(name: string) {
  await new Promise((r) => setTimeout(r, 2000));
  const [appliesBefore, reconcilesBefore, prunedBefore] = [await applies(), await reconciles(), await pruned()];
  await kubectlOk(['annotate', 'ic', name, '-n', ns.name, `touched=${Date.now()}`, '--overwrite']);
  await eventually('a reconcile', async () => (await reconciles()) > reconcilesBefore);
  await new Promise((r) => setTimeout(r, 1000));
  expect(await applies()).toBe(appliesBefore);
  expect(await pruned()).toBe(prunedBefore);
}

describe('pruning, drift and status replace', () => {
  it('switching redis.mode Managed → External deletes the Redis StatefulSet, Service, ServiceAccount and NetworkPolicy, and endpoints.redis', async () => {
    await apply(pgSecret('delta'));
    await apply(externalRedis('delta'));
    await apply(clusterManifest('delta'));
    await eventually('the Redis children', async () => (await redisChildren('delta')).every(Boolean));
    const managed = await eventually('endpoints.redis in status', async () => {
      const c = await getCluster('delta');
      return c.status?.endpoints?.redis ? c : undefined;
    });
    expect(managed.status?.endpoints?.redis).toBe(`delta-redis.${ns.name}.svc:6379`);
    // Managed mode's children too are judged converged on our field set: no apply loop.
    await expectConvergedCostsNothing('delta');

    await apply(clusterManifest('delta', EXTERNAL('delta')));
    await eventually('the Redis children gone', async () => (await redisChildren('delta')).every((c) => c === undefined), 60_000);
    // The password stays with Redis's volume (the StatefulSet's PVCs are kept too), and goes
    // with the cluster through its ownerReference.
    const auth = await core.readNamespacedSecret({ namespace: ns.name, name: 'delta-redis-auth' });
    expect(auth.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'IngestionCluster', name: 'delta', controller: true });
    // The pods no longer point at it.
    const worker = await eventually('workers reading the external URL', async () => {
      const d = await apps.readNamespacedDeployment({ namespace: ns.name, name: 'delta-worker' });
      return d.spec!.template.spec!.containers[0]!.env?.some((e) => e.name === 'SLUICE_REDIS_URL' && e.valueFrom?.secretKeyRef?.name === 'delta-redis-url') ? d : undefined;
    });
    expect(worker.spec!.template.spec!.containers[0]!.env?.map((e) => e.name)).not.toContain('REDIS_PASSWORD');

    // A merge patch kept the stale field; a replaced status drops it.
    const external = await eventually('status without endpoints.redis', async () => {
      const c = await getCluster('delta');
      return c.status?.conditions?.find((x) => x.type === 'RedisReady')?.reason === 'External' && c.status.observedGeneration === c.metadata.generation ? c : undefined;
    });
    expect(external.status?.endpoints?.redis).toBeUndefined();
    expect(external.status?.endpoints?.api).toBe(`http://delta-api.${ns.name}.svc:8080`);

    const events = await core.listNamespacedEvent({ namespace: ns.name, fieldSelector: 'involvedObject.name=delta' });
    expect(events.items.filter((e) => e.reason === 'Pruned').map((e) => e.message).sort()).toEqual(
      ['NetworkPolicy', 'Service', 'ServiceAccount', 'StatefulSet'].map((k) => `Deleted ${k} delta-redis: the spec no longer asks for it.`),
    );
  });

  it('replaces the status only over the resourceVersion it read: a stale read is a conflict', async () => {
    const stale = await getCluster('delta');
    await kubectlOk(['annotate', 'ic', 'delta', '-n', ns.name, `bumped=${Date.now()}`, '--overwrite']);
    const written = { ...stale.status!, endpoints: { api: 'http://written-from-a-stale-read' } };
    await expect(clusterStatusWriter(kc)(stale, written)).rejects.toBeInstanceOf(StatusConflictError);
    expect((await getCluster('delta')).status?.endpoints?.api).toBe(`http://delta-api.${ns.name}.svc:8080`);
  });

  it('a converged cluster costs no apply and no delete', async () => {
    await expectConvergedCostsNothing('delta');
  });

  it('removing spec.api.authSecretRef removes SLUICE_API_KEYS_FILE from the ConfigMap and the keys mount from the API', async () => {
    await apply(pgSecret('zeta'));
    await apply('apiVersion: v1\nkind: Secret\nmetadata: { name: zeta-keys }\nstringData: { keys: "alice:abc" }\n');
    // Managed Redis, so the restart below also meets a StatefulSet and the Redis policy.
    await apply(clusterManifest('zeta', '  api: { authSecretRef: { name: zeta-keys, key: keys } }'));
    const cm = await eventually('SLUICE_API_KEYS_FILE', async () => {
      const c = await core.readNamespacedConfigMap({ namespace: ns.name, name: 'zeta-config' }).catch(() => undefined);
      return c?.data?.SLUICE_API_KEYS_FILE ? c : undefined;
    });
    expect(cm.data?.SLUICE_API_KEYS_FILE).toBe('/etc/sluice/api-keys/keys');
    // The ConfigMap and the Deployment are applied concurrently.
    const mounted = await eventually('the keys mount', async () => {
      const d = await apps.readNamespacedDeployment({ namespace: ns.name, name: 'zeta-api' }).catch(() => undefined);
      return d?.spec!.template.spec!.volumes?.some((v) => v.name === 'api-keys') ? d : undefined;
    });
    expect(mounted.spec!.template.spec!.containers[0]!.volumeMounts).toContainEqual({ name: 'api-keys', mountPath: '/etc/sluice/api-keys', readOnly: true });

    await apply(clusterManifest('zeta'));
    const without = await eventually('SLUICE_API_KEYS_FILE gone', async () => {
      const c = await core.readNamespacedConfigMap({ namespace: ns.name, name: 'zeta-config' });
      return c.data && !('SLUICE_API_KEYS_FILE' in c.data) ? c : undefined;
    });
    expect(without.data?.SLUICE_OPERATOR_KEYS_FILE).toBeDefined();
    const api = await eventually('the keys mount gone', async () => {
      const d = await apps.readNamespacedDeployment({ namespace: ns.name, name: 'zeta-api' });
      return d.spec!.template.spec!.volumes?.some((v) => v.name === 'api-keys') ? undefined : d;
    });
    expect(api.spec!.template.spec!.containers[0]!.volumeMounts?.map((m) => m.mountPath)).toEqual(['/tmp', '/etc/sluice/operator-key']);
    expect(api.spec!.template.spec!.volumes?.map((v) => v.name)).toEqual(['tmp', 'operator-key']);
  });

  it('a restarted operator, its caches listed rather than watched, applies nothing to converged clusters', async () => {
    await manager.stop();
    manager = await startController(ns.name);
    // Every cluster in the namespace is reconciled on start (delta, zeta, and eta below not yet).
    await eventually('a reconcile of each cluster', async () => (await reconciles()) >= 2, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await applies()).toBe(0);
  });

  it('never deletes a child it does not control, even one named and labelled like its own', async () => {
    const labels = { 'app.kubernetes.io/managed-by': 'sluice-operator', 'app.kubernetes.io/instance': 'eta' };
    // Someone else's ServiceAccount (no owner), and a Service controlled by another object.
    await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: 'eta-redis', labels } } });
    const owner = await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'eta-owner' } } });
    await core.createNamespacedService({
      namespace: ns.name,
      body: {
        metadata: { name: 'eta-redis', labels, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'eta-owner', uid: owner.metadata!.uid!, controller: true }] },
        spec: { ports: [{ port: 6379 }] },
      },
    });
    await apply(pgSecret('eta'));
    await apply(externalRedis('eta'));
    await apply(clusterManifest('eta', EXTERNAL('eta')));
    // Pruning runs before the status is written: a status of this generation means it ran.
    await eventually('the cluster reconciled', async () => {
      const c = await getCluster('eta');
      return c.status?.observedGeneration === c.metadata.generation || undefined;
    });
    await new Promise((r) => setTimeout(r, 1000));
    const [sts, svc, sa] = await redisChildren('eta');
    expect(sts).toBeUndefined();
    expect(svc?.metadata?.ownerReferences?.[0]?.name).toBe('eta-owner');
    expect(sa).toBeDefined();
  });
});
