// The control plane under the tests is real: the apiserver reports its release, and
// kube-controller-manager runs Deployments and garbage collection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { createNamespace, eventually, kubeConfig, kubectlOk } from '../support/kube.ts';
import { KUBERNETES_VERSION } from '@sluice/devenv/binaries';

let ns: Awaited<ReturnType<typeof createNamespace>>;
beforeAll(async () => {
  ns = await createNamespace('cp');
});
afterAll(async () => ns.remove());

describe('control plane', () => {
  it('reports its real version to kubectl', async () => {
    const v = JSON.parse(await kubectlOk(['version', '-o', 'json']));
    expect(v.serverVersion.gitVersion).toBe(KUBERNETES_VERSION);
    expect(v.clientVersion.gitVersion).toBe(KUBERNETES_VERSION);
  });

  it('turns a Deployment into a ReplicaSet (kube-controller-manager runs)', async () => {
    const apps = kubeConfig().makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
        },
      },
    });
    const rs = await eventually('a ReplicaSet', async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace: ns.name });
      return list.items.find((r) => r.metadata?.ownerReferences?.[0]?.name === 'web');
    });
    expect(rs.spec?.replicas).toBe(1);
  });

  it('garbage-collects an object whose owner is deleted', async () => {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const owner = await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'owner' } } });
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: {
        metadata: {
          name: 'dependent',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid!, controller: true }],
        },
      },
    });
    await core.deleteNamespacedConfigMap({ namespace: ns.name, name: 'owner' });
    await eventually('the dependent to be collected', async () => {
      const list = await core.listNamespacedConfigMap({ namespace: ns.name });
      return !list.items.some((c) => c.metadata?.name === 'dependent');
    });
  });
});
