// Applies crds/ with the built kubectl and waits until the apiserver serves them.
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { buildCrds, CRDS_DIR } from './product.ts';
import type { ControlPlane } from './control-plane.ts';
import { eventually } from './net.ts';
import { run } from './run.ts';

export async function installCrds(cp: Pick<ControlPlane, 'binaries' | 'kubectlEnv' | 'kubeconfigPath'>): Promise<void> {
  const kubectl = (...args: string[]) => run(cp.binaries.kubectl, args, { env: cp.kubectlEnv });
  const crds = buildCrds();
  await kubectl('apply', '--server-side', '--field-manager=sluice-dev', '-k', CRDS_DIR);
  await kubectl('wait', '--for=condition=Established', '--timeout=60s', ...crds.map((c) => `crd/${c.metadata!.name}`));
  // Established is not yet served: the apiserver builds a resource's watch cache on its first
  // request and answers lists from it with 429 "storage is (re)initializing" until it is filled.
  // Wait until a list like an informer's (no limit: from the cache) succeeds for every kind.
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const api = KubernetesObjectApi.makeApiClient(kc);
  await Promise.all(
    crds.map((c) => {
      const version = c.spec.versions.find((v) => v.storage)!.name;
      return eventually(`the apiserver to list ${c.spec.names.plural}`, async () => Boolean(await api.list(`${c.spec.group}/${version}`, c.spec.names.kind)), 30_000, 100);
    }),
  );
}
