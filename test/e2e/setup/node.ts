// Vitest global setup for the e2e project: one control plane with a real node per run (one node
// per machine: a second run waits for the first), and the images the tests run imported into it.
import type { TestProject } from 'vitest/node';
import { startControlPlane } from '@sluice/devenv/control-plane';
import { hostLeftovers } from '@sluice/devenv/node/host';
import { nodeDaemons } from '@sluice/devenv/node/node';
import { lookupImage } from './images.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    nodePodCidr: string;
    /** ctr and containerd's socket, for tests that import their own images (ctr runs as root). */
    containerd: { ctr: string; socket: string };
  }
}

export default async function setup(project: TestProject) {
  const cp = await startControlPlane({ node: true });
  try {
    await cp.node!.importImages([await lookupImage()]);
  } catch (e) {
    await cp.stop();
    throw e;
  }
  project.provide('kubeconfig', cp.kubeconfigPath);
  project.provide('kubectl', cp.binaries.kubectl);
  project.provide('nodePodCidr', cp.node!.podCidr);
  project.provide('containerd', { ctr: cp.node!.binaries.ctr, socket: cp.node!.containerdSocket });
  const daemons = nodeDaemons(cp.node!.binaries);
  return async () => {
    await cp.stop();
    // Stopping runs to the end whatever vanished meanwhile, and leaves the host clean.
    const left = await hostLeftovers(daemons);
    if (left.length) throw new Error(`the node left state on this host after stopping: ${left.join(', ')}`);
  };
}
