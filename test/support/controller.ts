// Runs the real controller (in this process) against the test control plane, scoped to one
// namespace so test files running in parallel do not reconcile each other's clusters.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { createOperator } from '../../src/controller/operator.ts';
import type { Logger } from '../../src/shared/logger.ts';
import { kubeConfig } from './kube.ts';

/** A logger that keeps its lines in `lines` instead of printing them. */
export function quietLog(lines: string[] = [], base: Record<string, unknown> = {}): Logger {
  const write = (level: string) => (m: string, f?: Record<string, unknown>) => void lines.push(JSON.stringify({ level, m, ...base, ...f }));
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: (fields) => quietLog(lines, { ...base, ...fields }) };
}

export async function startController(namespace: string, kc: KubeConfig = kubeConfig(), log: Logger = quietLog()): Promise<Manager> {
  const m = createOperator({ kc, log, namespace, httpPort: 0, httpHost: '127.0.0.1', leaderElection: false, image: 'example.com/sluice:test' });
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
