// Controlling running jobs: suspend stops new starts while in-flight documents finish, and
// resuming completes the job; per-job parallelism holds at every sample; higher priority starts
// first; DELETE with purge removes chunks from Chroma and rows from PostgreSQL.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ChromaStore } from '../../src/shared/chroma-store.ts';
import type { RunningWorker } from '../../src/worker/main.ts';
import { call } from './support/client.ts';
import { finished, putJob, waitJob } from './support/jobs.ts';
import { prose, textPdf } from './support/pdf-factory.ts';
import { startPdfServer, type PdfServer } from './support/pdf-server.ts';
import { startStack, type Stack } from './support/stack.ts';

let s: Stack;
let key: string;
let files: PdfServer;
let db: pg.Pool;
let worker: RunningWorker;
const collection = `jobs-ctl-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  s = await startStack({ env: { SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
  key = s.keys.admin!;
  files = await startPdfServer();
  db = new pg.Pool({ connectionString: s.pgUrl, max: 3 });
  worker = await s.startWorker({ SLUICE_WORKER_CONCURRENCY: '4' });
});
afterAll(async () => {
  await db?.end();
  await s?.stop();
  await files?.close();
});

/** n distinct PDFs served under /prefix-i.pdf, each answered after delayMs. */
async function serve(prefix: string, n: number, delayMs = 0): Promise<{ uri: string }[]> {
  const out: { uri: string }[] = [];
  for (let i = 0; i < n; i++) {
    files.files.set(`/${prefix}-${i}.pdf`, { body: await textPdf([`${prefix} ${i}. ${prose(prefix.length * 1000 + i, 1, 80)}`]), delayMs });
    out.push({ uri: `${files.base}/${prefix}-${i}.pdf` });
  }
  return out;
}

const started = async (job: string) =>
  new Set((await db.query<{ id: string }>(`SELECT id FROM documents WHERE job = $1 AND started_at IS NOT NULL`, [job])).rows.map((r) => r.id));

describe('suspend', () => {
  it('starts nothing new while suspended, lets in-flight documents finish, and completes once resumed', async () => {
    const body = { collection, sources: { inline: await serve('susp', 12, 700) }, parallelism: 2 };
    expect((await putJob(s.base, key, 'susp', body)).status).toBe(201);
    await waitJob(s.base, key, 'susp', (j) => j.counts.succeeded >= 2 && j.counts.active > 0);
    const r = await putJob(s.base, key, 'susp', { ...body, suspend: true });
    expect(r.status).toBe(200);
    const before = await started('susp');
    const held = await waitJob(s.base, key, 'susp', (j) => j.state === 'Suspended' && j.counts.active === 0 && j.counts.queued === 0);
    expect(held.counts.pending).toBeGreaterThan(0);
    await sleep(1500);
    expect(await started('susp')).toEqual(before);
    expect((await putJob(s.base, key, 'susp', body)).status).toBe(200);
    const done = await waitJob(s.base, key, 'susp', finished('Complete'));
    expect(done.counts).toMatchObject({ total: 12, succeeded: 12, failed: 0 });
  });
});

describe('parallelism', () => {
  it('never has more documents of a job queued + processing than its parallelism', async () => {
    await putJob(s.base, key, 'par-2', { collection, sources: { inline: await serve('pa', 16, 250) }, parallelism: 2 });
    await putJob(s.base, key, 'par-20', { collection, sources: { inline: await serve('pb', 16, 250) }, parallelism: 20 });
    const max = { 'par-2': 0, 'par-20': 0 } as Record<string, number>;
    const maxProcessing = { 'par-2': 0, 'par-20': 0 } as Record<string, number>;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const rows = (
        await db.query<{ job: string; inflight: number; processing: number; open: number }>(
          `SELECT job, count(*) FILTER (WHERE state IN ('queued', 'processing'))::int AS inflight, count(*) FILTER (WHERE state = 'processing')::int AS processing,
             count(*) FILTER (WHERE state IN ('pending', 'queued', 'processing'))::int AS open
           FROM documents WHERE job IN ('par-2', 'par-20') GROUP BY job`,
        )
      ).rows;
      for (const r of rows) {
        max[r.job] = Math.max(max[r.job]!, r.inflight);
        maxProcessing[r.job] = Math.max(maxProcessing[r.job]!, r.processing);
      }
      if (rows.length === 2 && rows.every((r) => r.open === 0)) break;
      if (Date.now() > deadline) throw new Error(`jobs did not finish: ${JSON.stringify(rows)}`);
      await sleep(15);
    }
    expect(max['par-2']).toBeLessThanOrEqual(2);
    expect(maxProcessing['par-2']).toBeGreaterThanOrEqual(1);
    expect(max['par-20']).toBeLessThanOrEqual(20);
    // The big job did use more than the small one could.
    expect(max['par-20']).toBeGreaterThan(2);
    for (const id of ['par-2', 'par-20']) expect((await waitJob(s.base, key, id, finished('Complete'))).counts.succeeded).toBe(16);
  });
});

describe('priority', () => {
  it('starts every document of the higher-priority job before any of the lower', async () => {
    // No worker, so no dispatcher, while both jobs are created.
    await worker.stop();
    await putJob(s.base, key, 'prio-b-low', { collection, sources: { inline: await serve('lo', 6) }, priority: 10, parallelism: 10 });
    await putJob(s.base, key, 'prio-a-high', { collection, sources: { inline: await serve('hi', 6) }, priority: 90, parallelism: 10 });
    worker = await s.startWorker({ SLUICE_WORKER_CONCURRENCY: '1' });
    for (const id of ['prio-a-high', 'prio-b-low']) await waitJob(s.base, key, id, finished('Complete'));
    const r = await db.query<{ job: string; first: Date; last: Date }>(
      `SELECT job, min(started_at) AS first, max(started_at) AS last FROM documents WHERE job IN ('prio-a-high', 'prio-b-low') GROUP BY job`,
    );
    const by = Object.fromEntries(r.rows.map((x) => [x.job, x]));
    expect(by['prio-a-high']!.last.getTime()).toBeLessThan(by['prio-b-low']!.first.getTime());
  });
});

describe('DELETE with purge', () => {
  const chroma = () => new ChromaStore({ url: inject('chromaUrl'), tenant: 'default_tenant', database: 'default_database', token: undefined });

  it('removes the chunks from Chroma and the rows, answering 202 while a document is still processing', async () => {
    const body = { collection, sources: { inline: await serve('purge', 5) }, parallelism: 5 };
    await putJob(s.base, key, 'purge', body);
    await waitJob(s.base, key, 'purge', finished('Complete'));
    const ids = (await db.query<{ id: string }>(`SELECT id FROM documents WHERE job = 'purge'`)).rows.map((r) => r.id);
    expect(ids).toHaveLength(5);
    for (const id of ids) expect(await chroma().countDocumentChunks(collection, id)).toBeGreaterThan(0);

    // One more document, slow to fetch, is processing when the DELETE comes.
    files.files.set('/purge-slow.pdf', { body: await textPdf([prose(4242, 1, 80)]), delayMs: 2500 });
    await putJob(s.base, key, 'purge', { ...body, sources: { inline: [...body.sources.inline, { uri: `${files.base}/purge-slow.pdf` }] } });
    await waitJob(s.base, key, 'purge', (j) => j.counts.active === 1);
    const first = await call(s.base, key, 'DELETE', '/v1/jobs/purge?purge=true');
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ remaining: 1 });
    // Deleting: a PUT is refused until it is gone.
    expect((await putJob(s.base, key, 'purge', body)).status).toBe(409);
    let last = first;
    for (let i = 0; i < 100 && last.status === 202; i++) {
      await sleep(200);
      last = await call(s.base, key, 'DELETE', '/v1/jobs/purge?purge=true');
    }
    expect(last.status).toBe(204);
    expect((await call(s.base, key, 'GET', '/v1/jobs/purge')).status).toBe(404);
    expect((await db.query(`SELECT 1 FROM documents WHERE job = 'purge'`)).rowCount).toBe(0);
    for (const id of ids) expect(await chroma().countDocumentChunks(collection, id)).toBe(0);
  });
});
