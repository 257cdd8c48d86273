// Runs the real controller (in this process) against the test control plane, scoped to one
// namespace so test files running in parallel do not reconcile each other's clusters.
import type { KubeConfig } from '@kubernetes/client-node';
import { Manager } from '../../src/controller/manager.ts';
import type { Logger } from '../../src/controller/informer.ts';
import { kubeConfig } from './kube.ts';

export const quietLog = (lines: string[] = []): Logger => ({
  info: (m, f) => void lines.push(JSON.stringify({ m, ...f })),
  error: (m, f) => void lines.push(JSON.stringify({ level: 'error', m, ...f })),
});

export async function startController(namespace: string, kc: KubeConfig = kubeConfig(), log: Logger = quietLog()): Promise<Manager> {
  const m = new Manager({ kc, log, namespace, httpPort: 0, httpHost: '127.0.0.1', leaderElection: false, image: 'example.com/sluice:test' });
  await m.start();
  return m;
}

export const clusterManifest = (name: string, extra = '') => `apiVersion: sluice.dev/v1alpha1
kind: IngestionCluster
metadata: { name: ${name} }
spec:
  stores:
    postgres: { secretRef: { name: ${name}-pg } }
    chroma: { url: "http://chroma.db.svc:8000" }
${extra}`;

export const pgSecret = (name: string) => `apiVersion: v1
kind: Secret
metadata: { name: ${name}-pg }
stringData: { uri: "postgres://u:supersecret@pg:5432/db" }
`;
