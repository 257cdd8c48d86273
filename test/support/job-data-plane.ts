// The data plane of one IngestionCluster as processes in this test: the real API (migrations on
// a throwaway PostgreSQL schema, the machine's Redis, a queue of its own) accepting the
// operator's key, and optionally a worker with a Chroma server of its own.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, type RunningApi } from '../../src/api/main.ts';
import { operatorKeyLine } from '../../src/controller/builders/operator-key.ts';
import { startChroma } from '@sluice/devenv/chroma';
import { createSchema } from '@sluice/devenv/pg-schema';
import { loadApiConfig, loadWorkerConfig } from '../../src/shared/config/data-plane-config.ts';
import { startWorker } from '../../src/worker/main.ts';

export interface JobDataPlane {
  /** The API's base URL, for the operator's cluster-api-url setting. */
  base: string;
  /** The operator keys file the API reloads every second (where a pod mounts the Secret's item). */
  operatorKeysFile: string;
  api: RunningApi;
  stop(): Promise<void>;
}

/** With an operator key, the keys file starts with its line; without, with none (written later). */
export async function startJobDataPlane(operatorKey: string | undefined, o: { worker?: boolean } = {}): Promise<JobDataPlane> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const schema = await createSchema('ij');
    stops.push(() => schema.drop());
    const keys = join(mkdtempSync(join(tmpdir(), 'sluice-operator-key-')), 'keys');
    writeFileSync(keys, operatorKey ? operatorKeyLine(operatorKey) : '# no key yet\n');
    // No Chroma unless a worker needs it: the API alone neither embeds nor searches here.
    const chroma = o.worker ? await startChroma() : undefined;
    if (chroma) stops.push(() => chroma.stop());
    process.env.SLUICE_LOG_LEVEL = 'warn';
    const env = {
      SLUICE_POSTGRES_URL: schema.url,
      SLUICE_REDIS_URL: process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      SLUICE_QUEUE_NAME: `q-${schema.schema}`,
      SLUICE_CHROMA_URL: chroma?.url ?? 'http://127.0.0.1:9',
      SLUICE_API_PORT: '0',
      SLUICE_METRICS_PORT: '0',
      SLUICE_RATE_LIMIT_PER_MINUTE: '0',
      SLUICE_OPERATOR_KEYS_FILE: keys,
      // As the operator's <cluster>-credentials-key Secret gives the pods.
      SLUICE_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
      SLUICE_API_KEYS_RELOAD_SECONDS: '1',
    };
    const api = await startApi(loadApiConfig(env));
    stops.push(() => api.stop());
    if (o.worker) {
      // The documents are served from loopback by the test.
      const worker = await startWorker(loadWorkerConfig({ ...env, SLUICE_WORKER_ID: 'ij-worker', SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true', SLUICE_SHUTDOWN_TIMEOUT_SECONDS: '5' }));
      stops.push(() => worker.stop());
    }
    return { base: `http://127.0.0.1:${api.port}`, operatorKeysFile: keys, api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
