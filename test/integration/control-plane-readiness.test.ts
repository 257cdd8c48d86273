// A local control plane reported ready, with the CRDs installed, serves an informer's first
// list at once: no 429 "storage is (re)initializing" from a watch cache still filling.
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildCrds } from '../../src/crd/crd-builder.ts';
import { startControlPlane } from '@sluice/devenv/control-plane';
import { installCrds } from '@sluice/devenv/install-crds';

describe('a fresh local control plane', () => {
  it('answers lists from the watch cache as soon as it and the CRDs are reported ready', async () => {
    const cp = await startControlPlane({ controllerManager: false, log: () => {} });
    try {
      await installCrds(cp);
      const kc = new KubeConfig();
      kc.loadFromFile(cp.kubeconfigPath);
      const objects = KubernetesObjectApi.makeApiClient(kc);
      // Once each, as the operator's informers list on start, with no limit (from the cache).
      const lists = await Promise.allSettled([
        kc.makeApiClient(CoreV1Api).listNamespace(),
        ...buildCrds().map((c) => objects.list(`${c.spec.group}/${c.spec.versions.find((v) => v.storage)!.name}`, c.spec.names.kind)),
      ]);
      expect(lists.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    } finally {
      await cp.stop();
    }
  });
});
