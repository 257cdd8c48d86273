// An inline IngestionJob from start to Complete with exact counts, its documents and view, an
// update that adds entries (one a duplicate), validation errors naming the field, the queue
// summary, and DELETE without purge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableStringify } from '../../src/shared/stable-stringify.ts';
import { createHash } from 'node:crypto';
import { call } from './support/client.ts';
import { finished, getJob, jobDocuments, putJob, waitJob } from './support/jobs.ts';
import { prose, textPdf } from './support/pdf-factory.ts';
import { startPdfServer, type PdfServer } from './support/pdf-server.ts';
import { startStack, type Stack } from './support/stack.ts';

let s: Stack;
let key: string;
let files: PdfServer;
const collection = `jobs-inline-${Date.now()}`;

beforeAll(async () => {
  s = await startStack({ env: { SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
  key = s.keys.admin!;
  files = await startPdfServer();
  for (let i = 1; i <= 8; i++) files.files.set(`/doc-${i}.pdf`, { body: await textPdf(Array.from({ length: (i % 3) + 1 }, (_, p) => prose(100 + i, p + 1))) });
  // The same bytes as doc-1 under another name.
  files.files.set('/copy-of-1.pdf', files.files.get('/doc-1.pdf')!);
  await s.startWorker();
});
afterAll(async () => {
  await s?.stop();
  await files?.close();
});

const body = (n: number, extra: Record<string, unknown> = {}) => ({
  collection,
  sources: { inline: Array.from({ length: n }, (_, i) => ({ uri: `${files.base}/doc-${i + 1}.pdf`, ...(i === 0 ? { name: 'first.pdf', metadata: { team: 'hr' } } : {}) })) },
  metadata: { source: 'inline-test', team: 'all' },
  parallelism: 3,
  ...extra,
});

describe('an inline job', () => {
  it('is created with 201 and runs to Complete with exact counts', async () => {
    const b = body(6);
    const r = await putJob(s.base, key, 'inline-1', b);
    expect(r.status).toBe(201);
    expect(r.body.job).toMatchObject({ id: 'inline-1', collection, failureTarget: null, embedding: { model: 'sluice-hash-v1', dimensions: 384 } });
    expect(r.body.job.specHash).toBe(createHash('sha256').update(stableStringify(b)).digest('hex'));
    const job = await waitJob(s.base, key, 'inline-1', finished('Complete'));
    // Pages of doc-i: (i % 3) + 1.
    expect(job.counts).toEqual({ total: 6, pending: 0, queued: 0, active: 0, succeeded: 6, failed: 0, skipped: 0 });
    expect(job.pages).toBe([1, 2, 3, 4, 5, 6].reduce((n, i) => n + (i % 3) + 1, 0));
    expect(job.chunks).toBeGreaterThanOrEqual(job.pages);
    expect(job.expansion).toEqual({ done: true, documents: 6 });
    expect(job.startTime).not.toBeNull();
    expect(job.completionTime).not.toBeNull();
    expect(job.etaSeconds).toBe(0);
    expect(job.rate).toBeGreaterThan(0);
    expect(job.lastFailures).toEqual([]);
  });

  it('lists its documents with their source, name and metadata', async () => {
    const docs = await jobDocuments(s.base, key, 'inline-1');
    expect(docs).toHaveLength(6);
    const first = docs.find((d) => d.source === `${files.base}/doc-1.pdf`);
    expect(first).toMatchObject({ state: 'succeeded', filename: 'first.pdf', job: 'inline-1', metadata: { source: 'inline-test', team: 'hr' } });
    expect(docs.find((d) => d.source === `${files.base}/doc-2.pdf`)).toMatchObject({ filename: 'doc-2.pdf', metadata: { team: 'all' } });
    const page = await call(s.base, key, 'GET', '/v1/jobs/inline-1/documents?state=succeeded&limit=4');
    expect(page.body.documents).toHaveLength(4);
    expect(page.body.nextCursor).toBeTruthy();
    const rest = await call(s.base, key, 'GET', `/v1/jobs/inline-1/documents?state=succeeded&limit=4&cursor=${page.body.nextCursor}`);
    expect(rest.body.documents).toHaveLength(2);
  });

  it('answers 200 to the same body and fetches nothing again', async () => {
    const before = files.hits.get('/doc-1.pdf');
    const r = await putJob(s.base, key, 'inline-1', body(6));
    expect(r.status).toBe(200);
    expect(r.body.job.state).toBe('Complete');
    await new Promise((res) => setTimeout(res, 1500));
    expect((await getJob(s.base, key, 'inline-1')).counts.total).toBe(6);
    expect(files.hits.get('/doc-1.pdf')).toBe(before);
  });

  it('picks up added entries once each; a duplicate of content already ingested is skipped', async () => {
    const b = body(8);
    (b.sources.inline as { uri: string }[]).push({ uri: `${files.base}/copy-of-1.pdf` }, { uri: `${files.base}/doc-8.pdf` });
    const r = await putJob(s.base, key, 'inline-1', b);
    expect(r.status).toBe(200);
    const job = await waitJob(s.base, key, 'inline-1', (j) => j.state === 'Complete' && j.counts.total === 9);
    expect(job.counts).toMatchObject({ total: 9, succeeded: 8, skipped: 1, failed: 0 });
    const skipped = await jobDocuments(s.base, key, 'inline-1', 'skipped');
    expect(skipped.map((d) => d.source)).toEqual([`${files.base}/copy-of-1.pdf`]);
  });

  it('refuses bad bodies naming the field, and changes of what is immutable', async () => {
    const bad = await putJob(s.base, key, 'inline-2', { ...body(2), sources: { inline: [{ uri: `${files.base}/a.pdf` }, { uri: 'ftp://x/y.pdf' }] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('InvalidJob');
    expect(bad.body.error.message).toMatch(/^sources\.inline\[1\]\.uri: /);
    const two = await putJob(s.base, key, 'inline-2', { ...body(1), sources: { inline: [{ uri: `${files.base}/a.pdf` }], manifest: { content: '' } } });
    expect(two.status).toBe(422);
    expect(two.body.error.message).toMatch(/^sources: exactly one/);
    const unknown = await putJob(s.base, key, 'inline-2', { ...body(1), parallelism: 0, surprise: true });
    expect(unknown.status).toBe(422);
    const id = await putJob(s.base, key, 'Not_A_Valid_Id', body(1));
    expect(id.status).toBe(422);
    const emb = await putJob(s.base, key, 'inline-2', { ...body(1), embedding: { model: 'other', dimensions: 384 } });
    expect(emb.status).toBe(422);
    expect(emb.body.error.code).toBe('EmbeddingMismatch');
    const immutable = await putJob(s.base, key, 'inline-1', { ...body(1), collection: `${collection}-other` });
    expect(immutable.status).toBe(409);
    expect(immutable.body.error.code).toBe('Immutable');
    const kind = await putJob(s.base, key, 'inline-1', { ...body(1), sources: { manifest: { content: `${files.base}/doc-1.pdf\n` } } });
    expect(kind.status).toBe(409);
    const notJson = await call(s.base, key, 'PUT', '/v1/jobs/inline-2');
    expect(notJson.status).toBe(400);
    expect((await call(s.base, key, 'GET', '/v1/jobs/nope')).status).toBe(404);
  });

  it('answers GET /v1/queue with counts and this worker', async () => {
    const r = await call(s.base, key, 'GET', '/v1/queue');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ waiting: expect.any(Number), active: expect.any(Number), delayed: expect.any(Number), failed: expect.any(Number), oldestWaitingSeconds: expect.any(Number) });
    expect(r.body.workers).toHaveLength(1);
    expect(r.body.workers[0]).toMatchObject({ busy: expect.any(Boolean), concurrency: 2, lastHeartbeat: expect.any(String) });
  });

  it('DELETE without purge removes the job and keeps its documents', async () => {
    expect((await call(s.base, key, 'DELETE', '/v1/jobs/inline-1?purge=false')).status).toBe(204);
    expect((await call(s.base, key, 'GET', '/v1/jobs/inline-1')).status).toBe(404);
    expect((await call(s.base, key, 'DELETE', '/v1/jobs/inline-1')).status).toBe(404);
    const left = await call(s.base, key, 'GET', '/v1/documents?job=inline-1&limit=100');
    expect(left.body.documents).toHaveLength(9);
  });
});
