// The data plane on this machine, as deployed but without Kubernetes: an API and workers as real
// child processes on a fresh PostgreSQL schema and queue, with a Chroma server of their own.
// Used by the benchmarks and by `npm start`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { operatorKeyLine } from './product.ts';
import { startChroma } from './chroma.ts';
import { freePort, GiveUp, sleep, waitFor } from './net.ts';
import { createSchema } from './pg-schema.ts';

const ROOT = join(import.meta.dirname, '../..');

export interface LocalStack {
  base: string;
  key: string;
  api: ChildProcess;
  env: Record<string, string>;
  pg: pg.Pool;
  spawnWorker(extra?: Record<string, string>): ChildProcess;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** A key the API accepts as the operator's (SLUICE_OPERATOR_KEYS_FILE), as in a cluster. */
  operatorKey?: string;
}

export async function startLocalStack(env: Record<string, string> = {}, options: LocalStackOptions = {}): Promise<LocalStack> {
  const db = await createSchema('sluice');
  const { schema, url: pgUrl } = db;
  const chroma = await startChroma();
  const key = `sk_${randomBytes(16).toString('hex')}`;
  const keysDir = mkdtempSync(join(tmpdir(), 'sluice-keys-'));
  const keysFile = join(keysDir, 'keys');
  writeFileSync(keysFile, `local:${createHash('sha256').update(key).digest('hex')}\n`);
  const operatorKeys: Record<string, string> = {};
  if (options.operatorKey !== undefined) {
    operatorKeys.SLUICE_OPERATOR_KEYS_FILE = join(keysDir, 'operator-keys');
    writeFileSync(operatorKeys.SLUICE_OPERATOR_KEYS_FILE, operatorKeyLine(options.operatorKey));
  }
  const port = await freePort();
  const fullEnv: Record<string, string> = {
    SLUICE_REDIS_URL: process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    SLUICE_POSTGRES_URL: pgUrl,
    SLUICE_CHROMA_URL: chroma.url,
    SLUICE_API_PORT: String(port),
    SLUICE_API_KEYS_FILE: keysFile,
    SLUICE_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
    SLUICE_RATE_LIMIT_PER_MINUTE: '0',
    SLUICE_MAX_QUEUE_DEPTH: '1000000',
    SLUICE_QUEUE_NAME: `local-${schema}`,
    SLUICE_LOG_LEVEL: 'warn',
    SLUICE_METRICS_PORT: '0',
    ...operatorKeys,
    ...env,
  };
  const children: ChildProcess[] = [];
  const start = (file: string, extra: Record<string, string> = {}) => {
    const c = spawn(process.execPath, [join(ROOT, file)], { env: { ...process.env, ...fullEnv, ...extra }, stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(c);
    return c;
  };
  const api = start('src/api/main.ts');
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'the API to become ready',
    async () => {
      if (api.exitCode !== null) throw new GiveUp(`the API exited (${api.exitCode})`);
      return (await fetch(`${base}/readyz`)).ok;
    },
    20_000,
  );
  const pool = new pg.Pool({ connectionString: pgUrl, max: 2 });
  return {
    base,
    key,
    api,
    env: fullEnv,
    pg: pool,
    spawnWorker: (extra = {}) => start('src/worker/main.ts', { SLUICE_WORKER_ID: `local-w-${children.length}`, ...extra }),
    async stop() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
      await sleep(500);
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await pool.end();
      await chroma.stop();
      await db.drop();
    },
  };
}

