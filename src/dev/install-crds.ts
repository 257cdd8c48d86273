// Applies crds/ with the built kubectl and waits until the apiserver serves them.
import { CRDS_DIR } from '../crd/crd-files.ts';
import type { ControlPlane } from './control-plane.ts';
import { run } from './run.ts';

export async function installCrds(cp: Pick<ControlPlane, 'binaries' | 'kubectlEnv'>): Promise<void> {
  const kubectl = (...args: string[]) => run(cp.binaries.kubectl, args, { env: cp.kubectlEnv });
  await kubectl('apply', '--server-side', '--field-manager=sluice-dev', '-k', CRDS_DIR);
  await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/ingestionclusters.sluice.dev', 'crd/ingestionjobs.sluice.dev');
}
