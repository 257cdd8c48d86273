// The IngestionCluster controller against the real control plane: children, updates, repairs,
// garbage collection, Pod Security admission, status and conditions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, NetworkingV1Api, PolicyV1Api, type V1Container, type V1PodSpec } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../src/crd/ingestion-cluster.ts';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { clusterManifest, pgSecret, startController } from '../support/controller.ts';
import { ensureFakeNode, startFakeKubelet } from '../support/fake-kubelet.ts';
import { createNamespace, eventually, kubeConfig, kubectlOk } from '../support/kube.ts';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const net = kc.makeApiClient(NetworkingV1Api);
const policy = kc.makeApiClient(PolicyV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);

let ns: Awaited<ReturnType<typeof createNamespace>>;
let manager: Manager;
let kubelet: { stop: () => void };

beforeAll(async () => {
  // Pods must pass Pod Security "restricted" here, as the manifests' namespace enforces it.
  ns = await createNamespace('ic', { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
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
const condition = (c: IngestionCluster, type: string) => c.status?.conditions?.find((x) => x.type === type);
const deployment = (name: string) => apps.readNamespacedDeployment({ namespace: ns.name, name });

function expectRestricted(spec: V1PodSpec, uid: number) {
  expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, seccompProfile: { type: 'RuntimeDefault' } });
  expect(spec.automountServiceAccountToken).toBe(false);
  for (const c of spec.containers) {
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  }
}

function expectNoInlineSecrets(c: V1Container) {
  const text = JSON.stringify(c);
  expect(text).not.toContain('supersecret');
  for (const e of c.env ?? []) if (/PASSWORD|POSTGRES_URL|TOKEN|API_KEY/.test(e.name) && e.name !== 'SLUICE_REDIS_URL') expect(e.valueFrom?.secretKeyRef, e.name).toBeDefined();
}

describe('IngestionCluster controller', () => {
  it('creates every child, secured, owned and labelled', async () => {
    await apply(pgSecret('alpha'));
    await apply(clusterManifest('alpha', '  workers: { concurrency: 3 }'));
    const cluster = await getCluster('alpha');
    const uid = cluster.metadata.uid;

    const api = await eventually('the API Deployment', () => deployment('alpha-api').catch(() => undefined));
    const worker = await eventually('the worker Deployment', () => deployment('alpha-worker').catch(() => undefined));
    const redis = await eventually('the Redis StatefulSet', () => apps.readNamespacedStatefulSet({ namespace: ns.name, name: 'alpha-redis' }).catch(() => undefined));
    const others = await eventually('services, config, accounts, policies and the PDB', async () => {
      const [svcs, cms, sas, nps, pdbs, secrets] = await Promise.all([
        core.listNamespacedService({ namespace: ns.name }),
        core.listNamespacedConfigMap({ namespace: ns.name }),
        core.listNamespacedServiceAccount({ namespace: ns.name }),
        net.listNamespacedNetworkPolicy({ namespace: ns.name }),
        policy.listNamespacedPodDisruptionBudget({ namespace: ns.name }),
        core.listNamespacedSecret({ namespace: ns.name }),
      ]);
      const names = (l: { items: { metadata?: { name?: string } }[] }) => l.items.map((i) => i.metadata!.name!).filter((n) => n.startsWith('alpha-'));
      const all = { svcs: names(svcs), cms: names(cms), sas: names(sas), nps: names(nps), pdbs: names(pdbs), secrets: names(secrets) };
      return all.nps.length === 4 && all.svcs.length === 2 && all.sas.length === 3 && all.pdbs.length === 1 && all.cms.length === 1 && all.secrets.length === 4 ? all : undefined;
    });
    expect(others.svcs.sort()).toEqual(['alpha-api', 'alpha-redis']);
    expect(others.nps.sort()).toEqual(['alpha-api', 'alpha-default-deny', 'alpha-redis', 'alpha-worker']);
    expect(others.sas.sort()).toEqual(['alpha-api', 'alpha-redis', 'alpha-worker']);
    // The Redis password, the operator's key to the API and the key sealing jobs' credentials are
    // generated; the rest is the user's.
    expect(others.secrets.sort()).toEqual(['alpha-credentials-key', 'alpha-operator-key', 'alpha-pg', 'alpha-redis-auth']);
    const sealing = await core.readNamespacedSecret({ namespace: ns.name, name: 'alpha-credentials-key' });
    expect(Buffer.from(Buffer.from(sealing.data!.key!, 'base64').toString(), 'base64')).toHaveLength(32);

    for (const obj of [api, worker, redis]) {
      expect(obj.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'IngestionCluster', name: 'alpha', uid, controller: true })]);
      expect(obj.metadata?.labels).toMatchObject({ 'app.kubernetes.io/instance': 'alpha', 'app.kubernetes.io/managed-by': 'sluice-operator' });
    }
    expectRestricted(api.spec!.template.spec!, 1000);
    expectRestricted(worker.spec!.template.spec!, 1000);
    expectRestricted(redis.spec!.template.spec!, 999);

    const apiC = api.spec!.template.spec!.containers[0]!;
    expect(apiC.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(apiC.livenessProbe?.httpGet?.path).toBe('/healthz');
    const workerC = worker.spec!.template.spec!.containers[0]!;
    expect(workerC.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(worker.spec!.template.spec!.terminationGracePeriodSeconds).toBe(300);
    for (const c of [apiC, workerC]) expectNoInlineSecrets(c);

    const redisC = redis.spec!.template.spec!.containers[0]!;
    const args = redisC.args!.join(' ');
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--appendfsync everysec');
    expect(args).toContain('--maxmemory-policy noeviction');
    expect(args).toContain('--requirepass $(REDIS_PASSWORD)');
    expect(redisC.env).toEqual([{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'alpha-redis-auth', key: 'password' } } }]);
    expect(redis.spec!.volumeClaimTemplates![0]!.spec!.resources!.requests!.storage).toBe('1Gi');

    const cm = await core.readNamespacedConfigMap({ namespace: ns.name, name: 'alpha-config' });
    expect(cm.data?.SLUICE_WORKER_CONCURRENCY).toBe('3');
    const redisPolicy = await net.readNamespacedNetworkPolicy({ namespace: ns.name, name: 'alpha-redis' });
    expect(redisPolicy.spec?.ingress?.[0]?._from?.[0]?.podSelector?.matchExpressions?.[0]).toMatchObject({ key: 'app.kubernetes.io/component', values: ['api', 'worker'] });
    expect(redisPolicy.spec?.ingress?.[0]?.ports).toEqual([{ protocol: 'TCP', port: 6379 }]);
    expect(JSON.stringify(cm.data)).not.toContain('supersecret');
  });

  it('admits the pods under Pod Security "restricted" (no FailedCreate)', async () => {
    const pods = await eventually('pods of the API, workers and Redis', async () => {
      const list = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app.kubernetes.io/instance=alpha' });
      const components = new Set(list.items.map((p) => p.metadata?.labels?.['app.kubernetes.io/component']));
      return components.has('api') && components.has('redis') && components.has('worker') ? list.items : undefined;
    });
    expect(pods.length).toBeGreaterThanOrEqual(4); // 2 API + 1 worker + 1 Redis
    const rss = await apps.listNamespacedReplicaSet({ namespace: ns.name });
    for (const rs of rss.items) expect(rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure'), rs.metadata?.name).toBeUndefined();
    const events = await core.listNamespacedEvent({ namespace: ns.name });
    expect(events.items.filter((e) => e.reason === 'FailedCreate').map((e) => e.message)).toEqual([]);
  });

  it('reports conditions from what the children report, and observedGeneration', async () => {
    const ready = await eventually('Ready=True', async () => {
      const c = await getCluster('alpha');
      return condition(c, 'Ready')?.status === 'True' ? c : undefined;
    }, 60_000);
    expect(ready.status?.observedGeneration).toBe(ready.metadata.generation);
    for (const t of ['RedisReady', 'APIReady', 'WorkersReady']) expect(condition(ready, t)?.status, t).toBe('True');
    expect(condition(ready, 'Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected' });
    expect(condition(ready, 'Suspended')?.status).toBe('False');
    expect(ready.status?.phase).toBe('Ready');
    const out = await kubectlOk(['get', 'ic', 'alpha', '-n', ns.name]);
    expect(out.split('\n')[1]).toMatch(/^alpha\s+True\s+1\/1\s+/); // ready/desired
    const events = await core.listNamespacedEvent({ namespace: ns.name, fieldSelector: 'involvedObject.name=alpha' });
    expect(events.items.map((e) => e.reason)).toContain('Ready');
  });

  it('updates the children when the spec changes, and nothing when it does not', async () => {
    await apply(clusterManifest('alpha', '  workers:\n    concurrency: 5\n    image: example.com/sluice:v2\n    resources: { requests: { cpu: 500m, memory: 1Gi } }'));
    const worker = await eventually('the new worker image', async () => {
      const d = await deployment('alpha-worker');
      return d.spec!.template.spec!.containers[0]!.image === 'example.com/sluice:v2' ? d : undefined;
    });
    expect(worker.spec!.template.spec!.containers[0]!.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' } });
    const cm = await eventually('the new concurrency', async () => {
      const c = await core.readNamespacedConfigMap({ namespace: ns.name, name: 'alpha-config' });
      return c.data?.SLUICE_WORKER_CONCURRENCY === '5' ? c : undefined;
    });
    expect(cm).toBeDefined();
    const c = await eventually('observedGeneration to follow', async () => {
      const x = await getCluster('alpha');
      return x.status?.observedGeneration === x.metadata.generation ? x : undefined;
    });
    expect(c.metadata.generation).toBeGreaterThan(1);

    // Let it settle, then reconcile again (an annotation change triggers a reconcile without
    // changing the spec): no child may change.
    await new Promise((r) => setTimeout(r, 2000));
    const versions = async () => {
      const [d1, d2, s, m] = await Promise.all([
        deployment('alpha-api'),
        deployment('alpha-worker'),
        apps.readNamespacedStatefulSet({ namespace: ns.name, name: 'alpha-redis' }),
        core.readNamespacedConfigMap({ namespace: ns.name, name: 'alpha-config' }),
      ]);
      return [d1, d2, s, m].map((o) => `${o.metadata!.name}@${o.metadata!.resourceVersion}`);
    };
    const before = await versions();
    const reconcilesBefore = (await manager.metrics.reconciles.get()).values.reduce((a, v) => a + v.value, 0);
    await kubectlOk(['annotate', 'ic', 'alpha', '-n', ns.name, `touched=${Date.now()}`, '--overwrite']);
    await eventually('a reconcile', async () => (await manager.metrics.reconciles.get()).values.reduce((a, v) => a + v.value, 0) > reconcilesBefore);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await versions()).toEqual(before);
  });

  it('restores a child deleted by hand and a field edited by hand', async () => {
    const old = await core.readNamespacedService({ namespace: ns.name, name: 'alpha-api' });
    await core.deleteNamespacedService({ namespace: ns.name, name: 'alpha-api' });
    const back = await eventually('the Service to come back', async () => {
      const s = await core.readNamespacedService({ namespace: ns.name, name: 'alpha-api' }).catch(() => undefined);
      return s && s.metadata!.uid !== old.metadata!.uid ? s : undefined;
    });
    expect(back.spec?.ports?.[0]?.port).toBe(8080);

    await kubectlOk(['scale', 'deployment/alpha-api', '-n', ns.name, '--replicas=7']);
    await kubectlOk(['patch', 'configmap/alpha-config', '-n', ns.name, '--type=merge', '-p', '{"data":{"SLUICE_WORKER_CONCURRENCY":"99"}}']);
    await eventually('replicas restored', async () => (await deployment('alpha-api')).spec?.replicas === 2);
    await eventually('config restored', async () => (await core.readNamespacedConfigMap({ namespace: ns.name, name: 'alpha-config' })).data?.SLUICE_WORKER_CONCURRENCY === '5');
  });

  it('marks the cluster Degraded, naming a missing Secret, and recovers when it appears', async () => {
    await apply(clusterManifest('beta'));
    const degraded = await eventually('Degraded=True', async () => {
      const c = await getCluster('beta');
      return condition(c, 'Degraded')?.status === 'True' ? c : undefined;
    });
    expect(condition(degraded, 'Degraded')).toMatchObject({ reason: 'SecretMissing' });
    expect(condition(degraded, 'Degraded')?.message).toContain('Secret "beta-pg" referenced by spec.stores.postgres.secretRef not found');
    expect(condition(degraded, 'Ready')).toMatchObject({ status: 'False', reason: 'SecretMissing' });
    await apply(pgSecret('beta'));
    await eventually('Degraded=False', async () => condition(await getCluster('beta'), 'Degraded')?.status === 'False', 40_000);
  });

  it('runs no Redis of its own in External mode, and reads the URL from the Secret', async () => {
    await apply(pgSecret('gamma'));
    await apply('apiVersion: v1\nkind: Secret\nmetadata: { name: gamma-redis }\nstringData: { url: "redis://:pw@redis.example:6379" }\n');
    await apply(clusterManifest('gamma', '  redis: { mode: External, externalSecretRef: { name: gamma-redis } }'));
    const worker = await eventually('the worker Deployment', () => deployment('gamma-worker').catch(() => undefined));
    expect(worker.spec!.template.spec!.containers[0]!.env).toContainEqual({ name: 'SLUICE_REDIS_URL', valueFrom: { secretKeyRef: { name: 'gamma-redis', key: 'url' } } });
    const c = await eventually('RedisReady=True/External', async () => {
      const x = await getCluster('gamma');
      return condition(x, 'RedisReady')?.reason === 'External' ? x : undefined;
    });
    expect(c.status?.endpoints?.redis).toBeUndefined();
    const sets = await apps.listNamespacedStatefulSet({ namespace: ns.name });
    expect(sets.items.map((x) => x.metadata!.name)).not.toContain('gamma-redis');
    const secrets = await core.listNamespacedSecret({ namespace: ns.name });
    expect(secrets.items.map((x) => x.metadata!.name)).not.toContain('gamma-redis-auth');
  });

  it('suspends: API and workers to zero, Redis and its data kept', async () => {
    await apply(clusterManifest('alpha', '  suspend: true\n  workers:\n    concurrency: 5\n    image: example.com/sluice:v2\n    resources: { requests: { cpu: 500m, memory: 1Gi } }'));
    await eventually('API at zero', async () => (await deployment('alpha-api')).spec?.replicas === 0);
    expect((await deployment('alpha-worker')).spec?.replicas).toBe(0);
    expect((await apps.readNamespacedStatefulSet({ namespace: ns.name, name: 'alpha-redis' })).spec?.replicas).toBe(1);
    const c = await eventually('Suspended=True', async () => {
      const x = await getCluster('alpha');
      return condition(x, 'Suspended')?.status === 'True' ? x : undefined;
    });
    expect(c.status?.phase).toBe('Suspended');
    expect(condition(c, 'Ready')).toMatchObject({ status: 'False', reason: 'Suspended' });
  });

  it('garbage-collects every child when the cluster is deleted', async () => {
    await kubectlOk(['delete', 'ic', 'alpha', '-n', ns.name, '--wait=true']);
    await eventually('children gone', async () => {
      const [d, s, svc, cm] = await Promise.all([
        apps.listNamespacedDeployment({ namespace: ns.name }),
        apps.listNamespacedStatefulSet({ namespace: ns.name }),
        core.listNamespacedService({ namespace: ns.name }),
        core.listNamespacedConfigMap({ namespace: ns.name }),
      ]);
      const alpha = (l: { items: { metadata?: { name?: string } }[] }) => l.items.filter((i) => i.metadata?.name?.startsWith('alpha-')).length;
      return alpha(d) + alpha(s) + alpha(svc) + alpha(cm) === 0;
    }, 60_000);
  });
});
