// Helpers for integration tests against the real control plane started by test/setup.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { CommandError, run } from '@sluice/devenv/run';

export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(inject('kubeconfig'));
  return kc;
}

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the kubectl built for this run; never throws on a non-zero exit. */
export async function kubectl(args: string[], input?: string): Promise<KubectlResult> {
  try {
    return { code: 0, ...(await run(inject('kubectl'), args, { env: kubectlEnv(), ...(input === undefined ? {} : { input }) })) };
  } catch (err) {
    if (err instanceof CommandError) return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    throw err;
  }
}

/** Like kubectl(), but throws with stderr unless it exits 0. */
export async function kubectlOk(args: string[], input?: string): Promise<string> {
  return (await run(inject('kubectl'), args, { env: kubectlEnv(), ...(input === undefined ? {} : { input }) })).stdout;
}

const kubectlEnv = () => ({ ...process.env, KUBECONFIG: inject('kubeconfig') });

/** Creates a uniquely named namespace; the returned function deletes it. */
export async function createNamespace(prefix: string, labels: Record<string, string> = {}): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  const core = kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name, labels } } });
  return { name, remove: async () => void (await core.deleteNamespace({ name }).catch(() => undefined)) };
}

export { eventually } from '@sluice/devenv/net';
