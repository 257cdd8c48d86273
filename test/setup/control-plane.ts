// Vitest global setup: one real control plane per test run, with the CRDs installed.
import type { TestProject } from 'vitest/node';
import { startControlPlane } from '../../src/dev/control-plane.ts';
import { installCrds } from '../../src/dev/install-crds.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    kubectl: string;
  }
}

export default async function setup(project: TestProject) {
  const cp = await startControlPlane();
  try {
    await installCrds(cp);
  } catch (e) {
    await cp.stop();
    throw e;
  }
  project.provide('kubeconfig', cp.kubeconfigPath);
  project.provide('kubectl', cp.binaries.kubectl);
  return () => cp.stop();
}
