// Failure policy end to end: a budget exceeded fails the job once nothing is in flight, with its
// failures listed; rules decide the attempts; a new retryNonce re-drives failed documents after
// the source was fixed (and revives a job failed by its budget); a deadline fails the job and
// nothing more starts.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, getJob, jobDocuments, putJob, waitJob } from './support/jobs.ts';
import { encryptedPdf, garbageWithHeader, prose, textPdf } from './support/pdf-factory.ts';
import { startPdfServer, type PdfServer } from './support/pdf-server.ts';
import { startStack, type Stack } from './support/stack.ts';

let s: Stack;
let key: string;
let files: PdfServer;
let db: pg.Pool;
const collection = `jobs-fail-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const good = (n: number) => textPdf([prose(300 + n, 1, 120)]);

beforeAll(async () => {
  s = await startStack({ env: { SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
  key = s.keys.admin!;
  files = await startPdfServer();
  db = new pg.Pool({ connectionString: s.pgUrl, max: 2 });
  await s.startWorker({ SLUICE_WORKER_CONCURRENCY: '2' });
});
afterAll(async () => {
  await db?.end();
  await s?.stop();
  await files?.close();
});

const uris = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ uri: `${files.base}/${prefix}-${i}.pdf` }));

describe('failure budget', () => {
  it('10% broken with maxFailedPercent 5 → Failed (FailedDocumentsExceeded), failures listed, nothing left running', async () => {
    for (let i = 0; i < 20; i++) files.files.set(`/budget-${i}.pdf`, { body: i < 2 ? garbageWithHeader(4096) : await good(i) });
    const r = await putJob(s.base, key, 'budget', { collection, sources: { inline: uris('budget', 20) }, parallelism: 2, failurePolicy: { maxFailedPercent: 5 } });
    expect(r.status).toBe(201);
    const job = await waitJob(s.base, key, 'budget', finished('Failed'));
    expect(job.reason).toBe('FailedDocumentsExceeded');
    expect(job.failureTarget.reason).toBe('FailedDocumentsExceeded');
    expect(job.failureTarget.message).toMatch(/2 of 20 documents failed/);
    expect(job.completionTime).not.toBeNull();
    expect(job.counts).toMatchObject({ total: 20, failed: 2, queued: 0, active: 0 });
    expect(job.counts.pending).toBeGreaterThan(0);
    expect(job.lastFailures.map((f: { source: string }) => f.source).sort()).toEqual([`${files.base}/budget-0.pdf`, `${files.base}/budget-1.pdf`]);
    expect(job.lastFailures[0]).toMatchObject({ errorType: 'Corrupt', attempts: 1, document: expect.any(String), message: expect.any(String) });
    await sleep(1500);
    expect((await getJob(s.base, key, 'budget')).counts).toEqual(job.counts);
  });

  it('a new retryNonce after the source is fixed re-drives the failed documents and revives the job', async () => {
    for (let i = 0; i < 2; i++) files.files.set(`/budget-${i}.pdf`, { body: await good(100 + i) });
    const r = await putJob(s.base, key, 'budget', { collection, sources: { inline: uris('budget', 20) }, parallelism: 2, failurePolicy: { maxFailedPercent: 5 }, retryNonce: '1' });
    expect(r.status).toBe(200);
    expect(r.body.job).toMatchObject({ retryNonce: '1', failureTarget: null });
    expect(r.body.job.state).not.toBe('Failed');
    const job = await waitJob(s.base, key, 'budget', finished('Complete'));
    expect(job.counts).toMatchObject({ total: 20, succeeded: 20, failed: 0 });
    // The same nonce again does nothing.
    expect((await putJob(s.base, key, 'budget', { collection, sources: { inline: uris('budget', 20) }, parallelism: 2, failurePolicy: { maxFailedPercent: 5 }, retryNonce: '1' })).body.job.state).toBe('Complete');
  });
});

describe('rules and retries', () => {
  it('Encrypted with rule FailDocument is tried once; Corrupt with rule Retry is tried 1 + retries times; a 404 fails the document, fixed by a retryNonce', async () => {
    files.files.set('/rules-encrypted.pdf', { body: encryptedPdf() });
    files.files.set('/rules-corrupt.pdf', { body: garbageWithHeader(2048) });
    files.files.set('/rules-ok.pdf', { body: await good(7) });
    const body = {
      collection,
      sources: { inline: [{ uri: `${files.base}/rules-encrypted.pdf` }, { uri: `${files.base}/rules-corrupt.pdf` }, { uri: `${files.base}/rules-ok.pdf` }, { uri: `${files.base}/rules-missing.pdf` }] },
      document: { retries: 2 },
      failurePolicy: {
        rules: [
          { action: 'FailDocument', onErrorTypes: ['Encrypted'] },
          { action: 'Retry', onErrorTypes: ['Corrupt'] },
        ],
      },
    };
    expect((await putJob(s.base, key, 'rules', body)).status).toBe(201);
    const job = await waitJob(s.base, key, 'rules', finished('Complete'));
    expect(job.counts).toMatchObject({ total: 4, succeeded: 1, failed: 3 });
    const failed = Object.fromEntries((await jobDocuments(s.base, key, 'rules', 'failed')).map((d) => [d.source.replace(`${files.base}/`, ''), d]));
    expect(failed['rules-encrypted.pdf']).toMatchObject({ attempts: 1, error: { type: 'Encrypted' } });
    expect(failed['rules-corrupt.pdf']).toMatchObject({ attempts: 3, error: { type: 'Corrupt' } });
    expect(failed['rules-missing.pdf']).toMatchObject({ attempts: 1, error: { type: 'FetchFailed' } });

    files.files.set('/rules-missing.pdf', { body: await good(8) });
    expect((await putJob(s.base, key, 'rules', { ...body, retryNonce: 'a' })).status).toBe(200);
    const again = await waitJob(s.base, key, 'rules', (j) => j.state === 'Complete' && j.retryNonce === 'a' && j.counts.succeeded === 2);
    expect(again.counts).toMatchObject({ total: 4, succeeded: 2, failed: 2 });
  });

  it('rule Ignore ends the document skipped; rule FailJob fails the job', async () => {
    files.files.set('/ignore-enc.pdf', { body: encryptedPdf() });
    files.files.set('/ignore-ok.pdf', { body: await good(9) });
    await putJob(s.base, key, 'ignore', {
      collection,
      sources: { inline: [{ uri: `${files.base}/ignore-enc.pdf` }, { uri: `${files.base}/ignore-ok.pdf` }] },
      failurePolicy: { maxFailedDocuments: 0, rules: [{ action: 'Ignore', onErrorTypes: ['Encrypted'] }] },
    });
    const ignored = await waitJob(s.base, key, 'ignore', finished('Complete'));
    expect(ignored.counts).toMatchObject({ total: 2, succeeded: 1, skipped: 1, failed: 0 });

    // Other bytes: the same content would be skipped as already known to the collection.
    files.files.set('/failjob-enc.pdf', { body: encryptedPdf() });
    await putJob(s.base, key, 'failjob', {
      collection,
      sources: { inline: [{ uri: `${files.base}/failjob-enc.pdf` }] },
      failurePolicy: { rules: [{ action: 'FailJob', onErrorTypes: ['Encrypted'] }] },
    });
    const failed = await waitJob(s.base, key, 'failjob', finished('Failed'));
    expect(failed.reason).toBe('FailJobRule');
    expect(failed.message).toMatch(/failed with Encrypted/);
  });
});

describe('activeDeadlineSeconds', () => {
  it('fails the job with DeadlineExceeded once in-flight documents finish, and nothing more starts', async () => {
    for (let i = 0; i < 10; i++) files.files.set(`/slow-${i}.pdf`, { body: await good(200 + i), delayMs: 1200 });
    expect((await putJob(s.base, key, 'deadline', { collection, sources: { inline: uris('slow', 10) }, parallelism: 1, activeDeadlineSeconds: 2 })).status).toBe(201);
    const job = await waitJob(s.base, key, 'deadline', finished('Failed'), 30_000);
    expect(job.reason).toBe('DeadlineExceeded');
    expect(job.counts.pending).toBeGreaterThan(0);
    expect(job.counts.queued + job.counts.active).toBe(0);
    const started = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM documents WHERE job = 'deadline' AND started_at IS NOT NULL`)).rows[0]!.n;
    expect(started).toBeLessThanOrEqual(4);
    await sleep(2000);
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM documents WHERE job = 'deadline' AND started_at IS NOT NULL`)).rows[0]!.n).toBe(started);
    expect((await getJob(s.base, key, 'deadline')).counts).toEqual(job.counts);
  });
});
