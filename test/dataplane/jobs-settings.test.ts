// What a job sets for its documents: chunking overrides, and ttlSecondsAfterFinished pruning the
// stored bytes (records and chunks stay); uploads go on beside a running job.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upload, waitTerminal } from './support/client.ts';
import { finished, putJob, waitJob } from './support/jobs.ts';
import { prose, textPdf } from './support/pdf-factory.ts';
import { startPdfServer, type PdfServer } from './support/pdf-server.ts';
import { startStack, type Stack } from './support/stack.ts';

let s: Stack;
let key: string;
let files: PdfServer;
let db: pg.Pool;
const stamp = Date.now();

beforeAll(async () => {
  s = await startStack({ env: { SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
  key = s.keys.admin!;
  files = await startPdfServer();
  db = new pg.Pool({ connectionString: s.pgUrl, max: 2 });
  files.files.set('/long.pdf', { body: await textPdf([prose(901, 1), prose(901, 2)]) });
  await s.startWorker();
});
afterAll(async () => {
  await db?.end();
  await s?.stop();
  await files?.close();
});

describe('job settings', () => {
  it('chunks with the job\'s chunking override', async () => {
    const source = { inline: [{ uri: `${files.base}/long.pdf` }] };
    await putJob(s.base, key, 'chunk-default', { collection: `chunk-default-${stamp}`, sources: source });
    await putJob(s.base, key, 'chunk-small', { collection: `chunk-small-${stamp}`, sources: source, chunking: { chunkSize: 200, chunkOverlap: 0 } });
    const def = await waitJob(s.base, key, 'chunk-default', finished('Complete'));
    const small = await waitJob(s.base, key, 'chunk-small', finished('Complete'));
    expect(def.chunks).toBeGreaterThan(0);
    expect(small.chunks).toBeGreaterThan(def.chunks * 3);
  });

  it('prunes the stored bytes ttlSecondsAfterFinished after the job finished, keeping records and chunks', async () => {
    for (let i = 0; i < 3; i++) files.files.set(`/ttl-${i}.pdf`, { body: await textPdf([prose(950 + i, 1, 100)]) });
    await putJob(s.base, key, 'ttl', {
      collection: `ttl-${stamp}`,
      sources: { inline: [0, 1, 2].map((i) => ({ uri: `${files.base}/ttl-${i}.pdf` })) },
      ttlSecondsAfterFinished: 1,
    });
    await waitJob(s.base, key, 'ttl', finished('Complete'));
    const parts = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM document_parts WHERE document_id IN (SELECT id FROM documents WHERE job = 'ttl')`)).rows[0]!.n;
    const deadline = Date.now() + 20_000;
    while ((await parts()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await parts()).toBe(0);
    const job = await waitJob(s.base, key, 'ttl', finished('Complete'));
    expect(job.counts).toMatchObject({ total: 3, succeeded: 3 });
    expect(job.chunks).toBeGreaterThan(0);
  });

  it('takes uploads while a job runs', async () => {
    for (let i = 0; i < 6; i++) files.files.set(`/beside-${i}.pdf`, { body: await textPdf([prose(960 + i, 1, 100)]), delayMs: 300 });
    await putJob(s.base, key, 'beside', { collection: `beside-${stamp}`, sources: { inline: [0, 1, 2, 3, 4, 5].map((i) => ({ uri: `${files.base}/beside-${i}.pdf` })) }, parallelism: 4 });
    const r = await upload(s.base, key, await textPdf([prose(999, 1, 100)]), { collection: `beside-${stamp}` });
    expect(r.status).toBe(202);
    expect((await waitTerminal(s.base, key, r.body.document.id)).state).toBe('succeeded');
    expect((await waitJob(s.base, key, 'beside', finished('Complete'))).counts.succeeded).toBe(6);
  });
});
