// The worker as the cluster sees it: heartbeats (busy/idle), /metrics /healthz /readyz,
// SIGTERM (finish in-flight work, or hand it back at the deadline), and a collection that
// refuses vectors of another model or dimension.
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../src/api/main.ts';
import { loadApiConfig } from '../../src/shared/config/data-plane-config.ts';
import { readWorkerHeartbeats, workersKeyFor } from '../../src/shared/heartbeats.ts';
import { eventually } from '@sluice/devenv/net';
import { freePort } from './setup/chroma.ts';
import { call, upload, waitTerminal } from './support/client.ts';
import { prose, textPdf } from './support/pdf-factory.ts';
import { REDIS_URL, startStack, type Stack } from './support/stack.ts';

let s: Stack;
let key: string;
let redis: Redis;
let big: Buffer;
const collection = () => `life-${s.schema}`;

beforeAll(async () => {
  s = await startStack();
  key = s.keys.admin!;
  redis = new Redis(REDIS_URL);
  big = await textPdf(Array.from({ length: 400 }, (_, i) => prose(4242, i + 1)));
});
afterAll(async () => {
  redis?.disconnect();
  await s?.stop();
});

const exited = (c: ChildProcess) => new Promise<[number | null, NodeJS.Signals | null]>((r) => c.once('exit', (code, sig) => r([code, sig])));

const until = <T>(what: string, fn: () => Promise<T | undefined>) => eventually(what, fn, 30_000, 25);

async function state(id: string): Promise<{ state: string; attempts: number; worker_id: string | null }> {
  const c = new pg.Client({ connectionString: s.pgUrl });
  await c.connect();
  try {
    return (await c.query('SELECT state, attempts, worker_id FROM documents WHERE id = $1', [id])).rows[0];
  } finally {
    await c.end();
  }
}

describe('worker lifecycle', () => {
  // First, while no other worker runs, so that only the worker under test can take the document.
  it('refuses to mix embedding dimensions in a collection: the document fails with EmbeddingMismatch and search answers 409', async () => {
    const col = `mismatch-${s.schema}`;
    const a = await s.startWorker();
    const first = await upload(s.base, key, await textPdf(['created with the default 384 dimensions']), { collection: col });
    expect((await waitTerminal(s.base, key, first.body.document.id)).state).toBe('succeeded');
    await a.stop();
    const b = await s.startWorker({ SLUICE_EMBEDDING_DIMENSIONS: '128' });
    const r = await upload(s.base, key, await textPdf(['a second document for the same collection']), { collection: col });
    const doc = await waitTerminal(s.base, key, r.body.document.id);
    await b.stop();
    expect(doc.state).toBe('failed');
    expect(doc.error.type).toBe('EmbeddingMismatch');
    expect(doc.error.message).toMatch(/sluice-hash-v1\/384/);
    expect(doc.attempts).toBe(1);
    const mismatchedApi = await startApi(loadApiConfig({ ...s.env, SLUICE_EMBEDDING_DIMENSIONS: '128' }));
    try {
      const q = await call(`http://127.0.0.1:${mismatchedApi.port}`, key, 'POST', '/v1/search', { collection: col, query: 'dimensions' });
      expect(q.status).toBe(409);
      expect(q.body.error.code).toBe('EmbeddingMismatch');
    } finally {
      await mismatchedApi.stop();
    }
  });

  it('heartbeats busy while it works and idle otherwise, serves health and metrics, and finishes in-flight work on SIGTERM', async () => {
    const port = await freePort();
    const w = s.spawnWorker({ SLUICE_WORKER_ID: `hb-${s.schema}`, SLUICE_METRICS_PORT: String(port) });
    const id = `hb-${s.schema}`;
    const mine = async () => (await readWorkerHeartbeats(redis, { key: workersKeyFor(s.queueName) })).workers.find((x) => x.id === id);
    const idle = await until('an idle heartbeat', async () => ((await mine())?.active === 0 ? await mine() : undefined));
    expect(idle.concurrency).toBe(2);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    const r = await upload(s.base, key, big, { collection: collection() });
    await until('a busy heartbeat', async () => ((await mine())?.active === 1 ? true : undefined));
    await until('the document to be processing', async () => ((await state(r.body.document.id)).state === 'processing' ? true : undefined));
    const stopping = exited(w);
    w.kill('SIGTERM');
    const [code] = await stopping;
    expect(code).toBe(0);
    const doc = await waitTerminal(s.base, key, r.body.document.id);
    expect(doc.state).toBe('succeeded'); // finished by the stopping worker, not abandoned
    expect(doc.attempts).toBe(1);
    expect(await mine()).toBeUndefined(); // removed its heartbeat on the way out
  });

  it('hands a document back without spending an attempt when the shutdown deadline passes', async () => {
    const w = s.spawnWorker({ SLUICE_SHUTDOWN_TIMEOUT_SECONDS: '0.2' });
    const r = await upload(s.base, key, Buffer.concat([big.subarray(0, big.length - 6), Buffer.from('\n%%EOF\n')]), { collection: collection() });
    const id = r.body.document.id as string;
    await until('the document to be processing', async () => ((await state(id)).state === 'processing' ? true : undefined));
    const stopping = exited(w);
    w.kill('SIGTERM');
    expect((await stopping)[0]).toBe(0);
    expect(await state(id)).toMatchObject({ state: 'queued', attempts: 0, worker_id: null });
    const rescuer = await s.startWorker();
    const doc = await waitTerminal(s.base, key, id);
    await rescuer.stop();
    expect(doc.state).toBe('succeeded');
    expect(doc.attempts).toBe(1);
  });

  it('exposes outcome, stage, page and queue metrics', async () => {
    const port = await freePort();
    const w = s.spawnWorker({ SLUICE_METRICS_PORT: String(port) });
    const r = await upload(s.base, key, await textPdf(['metrics page one', 'metrics page two']), { collection: collection() });
    await waitTerminal(s.base, key, r.body.document.id);
    const text = await until('metrics', async () => {
      const t = await fetch(`http://127.0.0.1:${port}/metrics`).then((x) => x.text(), () => undefined);
      return t?.includes('sluice_documents_total{outcome="succeeded"') ? t : undefined;
    });
    expect(text).toMatch(/sluice_pages_total \d+/);
    expect(text).toMatch(/sluice_stage_duration_seconds_count\{stage="parse"\} \d+/);
    expect(text).toMatch(/sluice_queue_depth\{state="waiting"\} \d+/);
    expect(text).toMatch(/sluice_queue_oldest_waiting_seconds \d+/);
    // The stores it works with, each reached at the scrape.
    for (const dependency of ['postgres', 'redis', 'chroma']) expect(text).toMatch(new RegExp(`^sluice_dependency_up\\{dependency="${dependency}"\\} 1$`, 'm'));
    w.kill('SIGTERM');
    await exited(w);
  });
});
