// Vitest global setup: one real control plane per test run, with the CRDs installed.
import type { TestProject } from 'vitest/node';
import { startControlPlane } from '@sluice/devenv/control-plane';
import { installCrds } from '@sluice/devenv/install-crds';

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
