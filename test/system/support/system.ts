// One IngestionCluster as a whole system without a node: the real operator (every controller) on
// the test control plane, a stand-in kubelet that reports its pods Ready, and its data plane (API
// and workers) as in-process servers configured from what the operator wrote for its pods: the
// ConfigMap's settings and the operator-key Secret, with only addresses replaced by the host's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { startApi, type RunningApi } from '../../../src/api/main.ts';
import type { Manager } from '../../../src/controller/runtime/manager.ts';
import { createOperator } from '../../../src/controller/operator.ts';
import { freePort } from '@sluice/devenv/net';
import { createSchema, type PgSchema } from '@sluice/devenv/pg-schema';
import { loadApiConfig, loadWorkerConfig } from '../../../src/shared/config/data-plane-config.ts';
import { startWorker, type RunningWorker } from '../../../src/worker/main.ts';
import { quietLog } from '../../support/controller.ts';
import { ensureFakeNode, startFakeKubelet } from '../../support/fake-kubelet.ts';
import { createNamespace, eventually, kubeConfig, kubectlOk } from '../../support/kube.ts';

export const CLUSTER = 'docs';

export interface System {
  namespace: string;
  schema: PgSchema;
  apiBase: string;
  /** The BullMQ queue the cluster's data plane uses. */
  queueName: string;
  /** The operator's own key, read from the Secret it generated. */
  operatorKey: string;
  manager: Manager;
  logs: string[];
  apply(yaml: string): Promise<string>;
  /** Stops the operator and starts a new one, as a crashed and rescheduled operator pod would. */
  restartOperator(): Promise<void>;
  stopOperator(): Promise<void>;
  stop(): Promise<void>;
}

const clusterYaml = (chromaUrl: string, extraSpec: string) => `apiVersion: sluice.dev/v1alpha1
kind: IngestionCluster
metadata: { name: ${CLUSTER} }
spec:
  stores:
    postgres: { secretRef: { name: ${CLUSTER}-pg } }
    chroma: { url: "${chromaUrl}" }
  workers:
    concurrency: 3
    # The test's document servers listen on loopback.
    fetch: { allowPrivateNetworks: true }
  chunking: { chunkSize: 400, chunkOverlap: 40 }
${extraSpec}`;

export interface SystemOptions {
  /** In-process workers. */
  workers?: number;
  /** More of the IngestionCluster's spec, as YAML indented by two spaces. */
  spec?: string;
}

export async function startSystem(prefix: string, o: SystemOptions = {}): Promise<System> {
  const workers = o.workers ?? 2;
  const kc = kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const ns = await createNamespace(prefix, { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
  const schema = await createSchema(prefix);
  await ensureFakeNode();
  const kubelet = startFakeKubelet(ns.name);
  const apiPort = await freePort();
  const apiBase = `http://127.0.0.1:${apiPort}`;
  const logs: string[] = [];
  const newManager = async () => {
    const m = createOperator({ kc, log: quietLog(logs), namespace: ns.name, httpPort: 0, httpHost: '127.0.0.1', leaderElection: false, image: 'example.com/sluice:test', clusterApiUrl: apiBase });
    await m.start();
    return m;
  };
  let manager = await newManager();
  const apply = (yaml: string) => kubectlOk(['apply', '-n', ns.name, '-f', '-'], yaml);
  await apply(`apiVersion: v1\nkind: Secret\nmetadata: { name: ${CLUSTER}-pg }\nstringData: { uri: "${schema.url}" }\n`);
  await apply(clusterYaml(inject('chromaUrl'), o.spec ?? ''));

  // What the operator wrote for the pods: the settings both components read, and the key.
  const config = await eventually('the cluster ConfigMap', async () => (await core.readNamespacedConfigMap({ namespace: ns.name, name: `${CLUSTER}-config` }).catch(() => undefined))?.data);
  const secret = await eventually('the operator key Secret', async () => (await core.readNamespacedSecret({ namespace: ns.name, name: `${CLUSTER}-operator-key` }).catch(() => undefined))?.data);
  const decode = (k: string) => Buffer.from(secret[k] ?? '', 'base64').toString();
  const sealing = await eventually('the credentials key Secret', async () => (await core.readNamespacedSecret({ namespace: ns.name, name: `${CLUSTER}-credentials-key` }).catch(() => undefined))?.data);
  const keysFile = join(mkdtempSync(join(tmpdir(), 'sluice-operator-key-')), 'keys');
  writeFileSync(keysFile, decode('keys'));
  const env: Record<string, string> = {
    ...config,
    // Addresses: on the host instead of Services; the pods' mount path instead of the Secret.
    SLUICE_POSTGRES_URL: schema.url,
    SLUICE_REDIS_URL: process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    SLUICE_QUEUE_NAME: `q-${schema.schema}`,
    SLUICE_OPERATOR_KEYS_FILE: keysFile,
    // As the kubelet resolves the pods' secretKeyRef.
    SLUICE_CREDENTIALS_KEY: Buffer.from(sealing.key ?? '', 'base64').toString(),
    SLUICE_API_PORT: String(apiPort),
    SLUICE_METRICS_PORT: '0',
    SLUICE_LOG_LEVEL: 'warn',
  };
  process.env.SLUICE_LOG_LEVEL = 'warn';
  const api: RunningApi = await startApi(loadApiConfig(env));
  const running: RunningWorker[] = [];
  for (let i = 0; i < workers; i++) running.push(await startWorker(loadWorkerConfig({ ...env, SLUICE_WORKER_ID: `${CLUSTER}-worker-${i}`, SLUICE_SHUTDOWN_TIMEOUT_SECONDS: '5' })));
  await kubectlOk(['wait', '-n', ns.name, '--for=condition=Ready', '--timeout=90s', `ic/${CLUSTER}`]);

  let operatorUp = true;
  return {
    namespace: ns.name,
    schema,
    apiBase,
    queueName: env.SLUICE_QUEUE_NAME!,
    operatorKey: decode('key'),
    get manager() {
      return manager;
    },
    logs,
    apply,
    async stopOperator() {
      if (operatorUp) await manager.stop();
      operatorUp = false;
    },
    async restartOperator() {
      if (operatorUp) await manager.stop();
      manager = await newManager();
      operatorUp = true;
    },
    async stop() {
      if (operatorUp) await manager.stop();
      kubelet.stop();
      await Promise.all(running.map((w) => w.stop()));
      await api.stop();
      await ns.remove();
      await schema.drop().catch(() => undefined);
    },
  };
}
