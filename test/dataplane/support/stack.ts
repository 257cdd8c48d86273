// A private data plane for one test file: its own PostgreSQL schema, BullMQ queue name and Redis
// key prefix on the machine's services, the shared Chroma of the run, an API in this process,
// and workers either in this process or as child processes that a test may kill.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createSchema as createPgSchema } from '@sluice/devenv/pg-schema';
import { startApi, type RunningApi } from '../../../src/api/main.ts';
import { loadApiConfig, loadWorkerConfig } from '../../../src/shared/config/data-plane-config.ts';
import { startWorker, type RunningWorker } from '../../../src/worker/main.ts';

export const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ROOT = join(import.meta.dirname, '../../..');

export { PG_BASE } from '@sluice/devenv/pg-schema';
export const createSchema = () => createPgSchema('dp');

export interface KeySpec {
  name: string;
  collections?: string[];
}

/** Writes a keys file; returns it with the plaintext key of each name. */
export function writeKeys(specs: KeySpec[]): { file: string; keys: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-keys-'));
  const keys: Record<string, string> = {};
  const lines = specs.map((s) => {
    const k = `sk_${randomBytes(16).toString('hex')}`;
    keys[s.name] = k;
    return `${s.name}:${createHash('sha256').update(k).digest('hex')}${s.collections ? `:${s.collections.join(',')}` : ''}`;
  });
  const file = join(dir, 'keys');
  writeFileSync(file, `# test keys\n${lines.join('\n')}\n`);
  return { file, keys };
}

export interface StackOptions {
  env?: Record<string, string>;
  keys?: KeySpec[];
  postgresUrl?: string;
  redisUrl?: string;
}

export interface Stack {
  env: Record<string, string>;
  api: RunningApi;
  base: string;
  keys: Record<string, string>;
  queueName: string;
  schema: string;
  pgUrl: string;
  stop(): Promise<void>;
  startWorker(extra?: Record<string, string>): Promise<RunningWorker>;
  spawnWorker(extra?: Record<string, string>): ChildProcess;
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const schema = await createSchema();
  const { file, keys } = writeKeys(o.keys ?? [{ name: 'admin' }]);
  const queueName = `q-${schema.schema}`;
  const env: Record<string, string> = {
    SLUICE_REDIS_URL: o.redisUrl ?? REDIS_URL,
    SLUICE_POSTGRES_URL: o.postgresUrl ?? schema.url,
    SLUICE_CHROMA_URL: inject('chromaUrl'),
    SLUICE_API_PORT: '0',
    SLUICE_METRICS_PORT: '0',
    SLUICE_API_KEYS_FILE: file,
    // As the operator's <cluster>-credentials-key Secret gives the pods.
    SLUICE_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
    SLUICE_RATE_LIMIT_PER_MINUTE: '0',
    SLUICE_STALE_SECONDS: '4',
    SLUICE_SWEEP_INTERVAL_SECONDS: '1',
    SLUICE_DOCUMENT_TIMEOUT_SECONDS: '30',
    SLUICE_QUEUE_NAME: queueName,
    SLUICE_LOG_LEVEL: 'warn',
    ...o.env,
  };
  process.env.SLUICE_LOG_LEVEL = 'warn';
  // Migrate with the real schema first, so that a test's proxy URL is not needed for that.
  const api = await startApi(loadApiConfig(env));
  const workers: RunningWorker[] = [];
  const children: ChildProcess[] = [];
  return {
    env,
    api,
    base: `http://127.0.0.1:${api.port}`,
    keys,
    queueName,
    schema: schema.schema,
    pgUrl: schema.url,
    async startWorker(extra = {}) {
      const w = await startWorker(loadWorkerConfig({ ...env, SLUICE_WORKER_ID: `w-${randomBytes(3).toString('hex')}`, SLUICE_SHUTDOWN_TIMEOUT_SECONDS: '5', ...extra }));
      workers.push(w);
      return w;
    },
    spawnWorker(extra = {}) {
      const child = spawn(process.execPath, [join(ROOT, 'src/worker/main.ts')], {
        env: { ...process.env, ...env, SLUICE_WORKER_ID: `cw-${randomBytes(3).toString('hex')}`, ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.resume();
      child.stderr?.resume();
      children.push(child);
      return child;
    },
    async stop() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.stop()));
      await api.stop();
      await schema.drop().catch(() => undefined);
    },
  };
}
