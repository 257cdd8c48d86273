// Crashes and outages: a worker SIGKILLed mid-document, a Redis lost mid-batch, PostgreSQL
// unreachable behind a proxy, and migrations run by many replicas at once.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import { eventually } from '@sluice/devenv/net';
import { ChromaStore } from '../../src/shared/chroma-store.ts';
import { hashEmbed } from '../../src/shared/embedding/offline.ts';
import { MIGRATIONS, migrate } from '../../src/shared/db/migrations.ts';
import { call, upload, waitTerminal } from './support/client.ts';
import { prose, textPdf } from './support/pdf-factory.ts';
import { startOwnRedis } from './support/redis-server.ts';
import { createSchema, startStack, type Stack } from './support/stack.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
/** A stack whose PostgreSQL connections all pass through a TCP proxy the test can cut. */
async function stackBehindPostgresProxy() {
  const proxy = await startTcpProxy('127.0.0.1', 5432);
  cleanups.push(() => proxy.close());
  const schema = await createSchema();
  cleanups.push(() => schema.drop());
  const url = `postgres://postgres@127.0.0.1:${proxy.port}/test?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
  const s = await startStack({ postgresUrl: url });
  cleanups.push(() => s.stop());
  return { proxy, s, schema };
}

const chroma = () => new ChromaStore({ url: inject('chromaUrl'), tenant: 'default_tenant', database: 'default_database', token: undefined });

async function dbQuery<T extends pg.QueryResultRow>(s: Stack, sql: string, args: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: s.pgUrl });
  await c.connect();
  try {
    return (await c.query<T>(sql, args)).rows;
  } finally {
    await c.end();
  }
}

describe('recovery', () => {
  it('a worker SIGKILLed in the middle of a document: another finishes it, with exactly one set of chunks', async () => {
    const s = await startStack();
    cleanups.push(() => s.stop());
    const key = s.keys.admin!;
    const collection = `kill-${s.schema}`;
    // Long enough to be caught mid-parse: 400 pages.
    const pages = Array.from({ length: 400 }, (_, i) => prose(77, i + 1));
    const pdf = await textPdf(pages);
    const a = s.spawnWorker({ SLUICE_WORKER_ID: 'victim' });
    const r = await upload(s.base, key, pdf, { collection });
    expect(r.status).toBe(202);
    const id = r.body.document.id as string;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await dbQuery<{ state: string; worker_id: string | null }>(s, 'SELECT state, worker_id FROM documents WHERE id = $1', [id]);
      if (row?.state === 'processing' && row.worker_id === 'victim') break;
      if (Date.now() > deadline) throw new Error(`the victim never claimed the document (${JSON.stringify(row)})`);
      await new Promise((res) => setTimeout(res, 20));
    }
    a.kill('SIGKILL');
    await new Promise((res) => a.once('exit', res));
    s.spawnWorker({ SLUICE_WORKER_ID: 'rescuer' });
    const doc = await waitTerminal(s.base, key, id, 90_000);
    expect(doc.state).toBe('succeeded');
    expect(doc.attempts).toBe(2);
    expect(doc.pages).toBe(400);
    const [row] = await dbQuery<{ worker_id: string }>(s, 'SELECT worker_id FROM documents WHERE id = $1', [id]);
    expect(row?.worker_id).toBe('rescuer');
    expect(await chroma().countDocumentChunks(collection, id)).toBe(doc.chunks);
  });

  it('a worker SIGKILLed while writing chunks: the rescuer deletes them first, so even with other chunking no stale chunk remains', async () => {
    const s = await startStack();
    cleanups.push(() => s.stop());
    const key = s.keys.admin!;
    const collection = `killstore-${s.schema}`;
    const pdf = await textPdf(Array.from({ length: 400 }, (_, i) => prose(88, i + 1)));
    const a = s.spawnWorker({ SLUICE_WORKER_ID: 'victim' });
    const r = await upload(s.base, key, pdf, { collection });
    const id = r.body.document.id as string;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [row] = await dbQuery<{ may_have_chunks: boolean }>(s, 'SELECT may_have_chunks FROM documents WHERE id = $1', [id]);
      if (row?.may_have_chunks) break;
      if (Date.now() > deadline) throw new Error('the victim never reached the store stage');
      await new Promise((res) => setTimeout(res, 10));
    }
    // Killed as soon as it has announced the write (storing 1,600 chunks takes far longer than
    // this poll), so it never records an outcome.
    a.kill('SIGKILL');
    await new Promise((res) => a.once('exit', res));
    const [mid] = await dbQuery<{ state: string }>(s, 'SELECT state FROM documents WHERE id = $1', [id]);
    expect(mid?.state).toBe('processing');
    // Whatever part of its write reached Chroma, add chunks of a larger set it might have written,
    // so that the check below cannot pass unless the rescuer deletes before writing.
    const leftovers = Array.from({ length: 10 }, (_, i) => ({ index: 100_000 + i, text: `left behind ${i}`, pageStart: 1, pageEnd: 1, hash: 'h'.repeat(64) }));
    await chroma().upsertChunks(collection, id, leftovers, leftovers.map((c) => hashEmbed(c.text, 384)), 'sluice-hash-v1', 384);
    const stale = await chroma().countDocumentChunks(collection, id);
    expect(stale).toBeGreaterThanOrEqual(10);
    s.spawnWorker({ SLUICE_WORKER_ID: 'rescuer', SLUICE_CHUNK_SIZE: '4000', SLUICE_CHUNK_OVERLAP: '0' });
    const doc = await waitTerminal(s.base, key, id, 90_000);
    expect(doc.state).toBe('succeeded');
    expect(await chroma().countDocumentChunks(collection, id)).toBe(doc.chunks);
  });

  it('Redis lost in the middle of a batch: the sweeper re-enqueues and every accepted document ends terminal', async () => {
    const redis = await startOwnRedis();
    cleanups.push(() => redis.stop());
    // The rate limiter is on, so that an upload during the outage goes through its fail-open path.
    const s = await startStack({ redisUrl: redis.url, env: { SLUICE_RATE_LIMIT_PER_MINUTE: '100000' } });
    cleanups.push(() => s.stop());
    const key = s.keys.admin!;
    const collection = `redis-${s.schema}`;
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const r = await upload(s.base, key, await textPdf([prose(500 + i, 1), prose(500 + i, 2), prose(500 + i, 3)]), { collection });
      expect(r.status).toBe(202);
      ids.push(r.body.document.id);
    }
    s.spawnWorker({ SLUICE_WORKER_CONCURRENCY: '1' });
    // Let a few finish, then lose Redis with the rest of the queue in it.
    for (;;) {
      const [row] = await dbQuery<{ n: string }>(s, `SELECT count(*) AS n FROM documents WHERE state = 'succeeded'`);
      if (Number(row?.n) >= 3) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    await redis.restartEmpty(1_500, async () => {
      // Accepted while Redis is away: PostgreSQL has it, the sweeper enqueues it later.
      const during = await upload(s.base, key, await textPdf([prose(777, 1), 'uploaded while redis was down']), { collection });
      expect(during.status).toBe(202);
      ids.push(during.body.document.id);
      // Not ready (a load balancer sends new work elsewhere), but alive (not restarted).
      const ready = await call(s.base, undefined, 'GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ postgres: 'ok', redis: 'unreachable' });
      expect((await call(s.base, undefined, 'GET', '/healthz')).status).toBe(200);
    });
    await eventually('the API ready again', async () => (await call(s.base, undefined, 'GET', '/readyz')).status === 200, 15_000);
    const [before] = await dbQuery<{ n: string }>(s, `SELECT count(*) AS n FROM documents WHERE state NOT IN ('succeeded', 'failed')`);
    expect(Number(before?.n)).toBeGreaterThan(0); // the loss really left work behind
    for (const id of ids) {
      const doc = await waitTerminal(s.base, key, id, 120_000);
      expect(doc.state).toBe('succeeded');
      expect(await chroma().countDocumentChunks(collection, id)).toBe(doc.chunks);
    }
  });

  it('PostgreSQL unreachable: the API answers 503 (never crashes) and recovers when it returns', async () => {
    const { proxy, s } = await stackBehindPostgresProxy();
    const key = s.keys.admin!;
    const collection = `pgdown-${s.schema}`;
    expect((await call(s.base, key, 'GET', '/v1/documents')).status).toBe(200);

    await proxy.cut();
    const list = await call(s.base, key, 'GET', '/v1/documents');
    expect(list.status).toBe(503);
    expect(list.body.error.code).toBe('StoreUnavailable');
    expect(Number(list.headers.get('retry-after'))).toBeGreaterThan(0);
    const up = await upload(s.base, key, await textPdf(['while postgres is away']), { collection });
    expect(up.status).toBe(503);
    expect((await call(s.base, undefined, 'GET', '/readyz')).status).toBe(503);
    expect((await call(s.base, undefined, 'GET', '/healthz')).status).toBe(200);

    await proxy.restore();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await call(s.base, key, 'GET', '/v1/documents')).status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 200));
    }
    expect(status).toBe(200);
    const again = await upload(s.base, key, await textPdf(['after postgres came back']), { collection });
    expect(again.status).toBe(202);
  });

  it('a worker whose Redis is gone for good still stops, within its step bounds', async () => {
    const redis = await startOwnRedis();
    cleanups.push(() => redis.stop());
    const s = await startStack({ redisUrl: redis.url });
    cleanups.push(() => s.stop());
    const w = await s.startWorker({ SLUICE_SHUTDOWN_TIMEOUT_SECONDS: '60' });
    await redis.stop(); // as when the IngestionCluster is deleted with its Redis pod
    const t0 = Date.now();
    await w.stop();
    // Nothing in flight: the close waits at most 5 s of idleness, each Redis step at most 5 s.
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('a worker started while PostgreSQL is away waits for it instead of crashing, then works', async () => {
    const { proxy, s } = await stackBehindPostgresProxy();
    await proxy.cut();
    let started = false;
    const worker = s.startWorker().then((w) => ((started = true), w));
    await new Promise((res) => setTimeout(res, 3_000));
    expect(started).toBe(false); // still waiting, not thrown
    await proxy.restore();
    await worker;
    const up = await upload(s.base, s.keys.admin!, await textPdf(['after the database came up']), { collection: `late-${s.schema}` });
    expect(up.status).toBe(202);
    expect((await waitTerminal(s.base, s.keys.admin!, up.body.document.id)).state).toBe('succeeded');
  });

  it('keeps nothing of an upload whose client disconnects halfway (after parts were written)', async () => {
    const s = await startStack();
    cleanups.push(() => s.stop());
    const file = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2 * 1024 * 1024)]);
    const boundary = 'cut-here';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="collection"\r\n\r\ncut-${s.schema}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.pdf"\r\n\r\n`,
    );
    const sock = net.connect(Number(new URL(s.base).port), '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(
      `POST /v1/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.keys.admin}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${head.length + file.length + 100}\r\n\r\n`,
    );
    sock.write(head);
    sock.write(file.subarray(0, file.length / 2));
    // Wait until the upload has really been written in part, then cut the connection.
    const deadline = Date.now() + 10_000;
    while ((await dbQuery<{ n: number }>(s, 'SELECT count(*)::int AS n FROM document_parts'))[0]!.n < 2) {
      if (Date.now() > deadline) throw new Error('no part was written');
      await new Promise((r) => setTimeout(r, 50));
    }
    sock.destroy();
    for (let i = 0; i < 50; i++) {
      const [row] = await dbQuery<{ docs: number; parts: number }>(s, 'SELECT (SELECT count(*)::int FROM documents) AS docs, (SELECT count(*)::int FROM document_parts) AS parts');
      if (row!.docs === 0 && row!.parts === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the interrupted upload left rows behind');
  });

  it('PostgreSQL lost while workers process a batch: the worker survives and every document succeeds after it returns', async () => {
    const { proxy, s, schema } = await stackBehindPostgresProxy();
    const key = s.keys.admin!;
    const collection = `pgloss-${s.schema}`;
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) {
      const r = await upload(s.base, key, await textPdf([prose(900 + i, 1), prose(900 + i, 2)]), { collection });
      expect(r.status).toBe(202);
      ids.push(r.body.document.id);
    }
    const worker = s.spawnWorker({ SLUICE_WORKER_CONCURRENCY: '1' });
    const direct = { ...s, pgUrl: schema.url };
    for (;;) {
      const [row] = await dbQuery<{ n: number }>(direct, `SELECT count(*)::int AS n FROM documents WHERE state = 'succeeded'`);
      if (row!.n >= 2) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    await proxy.cut();
    const [left] = await dbQuery<{ n: number }>(direct, `SELECT count(*)::int AS n FROM documents WHERE state NOT IN ('succeeded', 'failed')`);
    expect(left!.n).toBeGreaterThan(0); // the outage really interrupted the batch
    await new Promise((res) => setTimeout(res, 3_000));
    expect(worker.exitCode).toBeNull();
    await proxy.restore();
    for (const id of ids) {
      const doc = await waitTerminal(s.base, key, id, 120_000);
      expect(doc.state).toBe('succeeded');
      expect(await chroma().countDocumentChunks(collection, id)).toBe(doc.chunks);
    }
    expect(worker.exitCode).toBeNull();
    expect(worker.signalCode).toBeNull();
  });

  it('migrations run by many replicas at once apply each version exactly once', async () => {
    const schema = await createSchema();
    cleanups.push(() => schema.drop());
    const pools = Array.from({ length: 6 }, () => new pg.Pool({ connectionString: schema.url, max: 2 }));
    cleanups.push(() => Promise.all(pools.map((p) => p.end())));
    const applied = await Promise.all(pools.map((p) => migrate(p)));
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions.length).toBeGreaterThanOrEqual(2);
    expect(applied.flat().sort()).toEqual(versions);
    const { rows } = await pools[0]!.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(versions);
  });
});
