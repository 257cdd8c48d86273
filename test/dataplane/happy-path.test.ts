// Upload → succeeded → search finds the text on the right page; re-upload dedups; delete removes
// the chunks from Chroma; reindex replaces them.
import http from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventually } from '@sluice/devenv/net';
import { ChromaStore } from '../../src/shared/chroma-store.ts';
import { call, upload, waitTerminal } from './support/client.ts';
import { multipartParts } from './support/multipart.ts';
import { prose, textPdf } from './support/pdf-factory.ts';
import type { RunningWorker } from '../../src/worker/main.ts';
import { startStack, type Stack } from './support/stack.ts';

let s: Stack;
let key: string;
let worker: RunningWorker;
const collection = `happy-${Date.now()}`;
const chroma = () => new ChromaStore({ url: inject('chromaUrl'), tenant: 'default_tenant', database: 'default_database', token: undefined });

beforeAll(async () => {
  s = await startStack();
  key = s.keys.admin!;
  worker = await s.startWorker();
});
afterAll(async () => s?.stop());

describe('happy path', () => {
  let pdf: Buffer;
  let id: string;

  it('accepts an upload with 202 and processes it to succeeded', async () => {
    pdf = await textPdf([prose(1, 1), prose(1, 2), `The quartermaster hid the platypus ledger in the lighthouse. ${prose(1, 3, 200)}`, prose(1, 4)]);
    const r = await upload(s.base, key, pdf, { collection, filename: 'report.pdf', metadata: { team: 'a' } });
    expect(r.status).toBe(202);
    expect(r.body.document.state).toBe('queued');
    expect(r.body.document.sha256).toMatch(/^[0-9a-f]{64}$/);
    id = r.body.document.id;
    const doc = await waitTerminal(s.base, key, id);
    expect(doc).toMatchObject({ state: 'succeeded', pages: 4, error: null, filename: 'report.pdf', metadata: { team: 'a' } });
    expect(doc.chunks).toBeGreaterThan(1);
  });

  it('finds the text by search with the right page', async () => {
    const r = await call(s.base, key, 'POST', '/v1/search', { collection, query: 'quartermaster platypus ledger lighthouse', limit: 3 });
    expect(r.status).toBe(200);
    const top = r.body.results[0];
    expect(top.documentId).toBe(id);
    expect(top.text).toContain('platypus ledger');
    expect(top.pageStart).toBeLessThanOrEqual(3);
    expect(top.pageEnd).toBeGreaterThanOrEqual(3);
  });

  it('answers 200 with the existing document for the same content, with no second copy', async () => {
    const r = await upload(s.base, key, pdf, { collection });
    expect(r.status).toBe(200);
    expect(r.body.duplicate).toBe(true);
    expect(r.body.document.id).toBe(id);
    const list = await call(s.base, key, 'GET', `/v1/documents?collection=${collection}`);
    expect(list.body.documents).toHaveLength(1);
  });

  it('replays an Idempotency-Key instead of creating a second document', async () => {
    const other = await textPdf(['idempotent upload body']);
    const a = await upload(s.base, key, other, { collection, idempotencyKey: 'k-1', job: 'nightly-7' });
    expect(a.status).toBe(202);
    const b = await upload(s.base, key, other, { collection, idempotencyKey: 'k-1' });
    expect(b.status).toBe(200);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body.document.id).toBe(a.body.document.id);
    // The same key for a different request is refused, not answered with the first document.
    const otherFile = await upload(s.base, key, await textPdf(['a different body']), { collection, idempotencyKey: 'k-1' });
    expect(otherFile.status).toBe(422);
    expect(otherFile.body.error.code).toBe('IdempotencyKeyReused');
    expect(otherFile.body.error.message).toContain(a.body.document.id);
    const otherCollection = await upload(s.base, key, other, { collection: `${collection}-b`, idempotencyKey: 'k-1' });
    expect(otherCollection.status).toBe(422);
    await waitTerminal(s.base, key, a.body.document.id);
  });

  it('answers 409 to a retry that arrives while the first request is still streaming', async () => {
    const body = await textPdf([prose(90, 1), prose(90, 2)]);
    expect(body.length).toBeGreaterThan(4096); // so that the first 2 KiB leave some of it unsent
    const boundary = 'sluice-slow-boundary';
    const { head, tail } = multipartParts(boundary, { collection }, 'slow.pdf');
    const first = http.request(`${s.base}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'idempotency-key': 'k-slow', 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    const firstStatus = new Promise<number>((resolve, reject) => {
      first.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      first.on('error', reject);
    });
    // The header and the first 2 KiB: enough for the API to check the magic bytes and record
    // the upload under its key, then the first request stalls.
    first.write(head);
    first.write(body.subarray(0, 2048));
    const db = new pg.Client({ connectionString: s.pgUrl });
    await db.connect();
    try {
      await eventually('the first upload is recorded under its key', async () => (await db.query(`SELECT 1 FROM documents WHERE idempotency_key = 'k-slow'`)).rowCount === 1, 10_000);
    } finally {
      await db.end();
    }
    const r = await upload(s.base, key, body, { collection, idempotencyKey: 'k-slow' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('IdempotencyConflict');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    first.end(Buffer.concat([body.subarray(2048), tail]));
    expect(await firstStatus).toBe(202);
    const retry = await upload(s.base, key, body, { collection, idempotencyKey: 'k-slow' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('lists with filters and pagination', async () => {
    const page1 = await call(s.base, key, 'GET', `/v1/documents?collection=${collection}&state=succeeded&limit=1`);
    expect(page1.status).toBe(200);
    expect(page1.body.documents).toHaveLength(1);
    expect(page1.body.nextCursor).toBeTruthy();
    const page2 = await call(s.base, key, 'GET', `/v1/documents?collection=${collection}&state=succeeded&limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.documents).toHaveLength(1);
    expect(page2.body.documents[0].id).not.toBe(page1.body.documents[0].id);
    const page3 = await call(s.base, key, 'GET', `/v1/documents?collection=${collection}&state=succeeded&limit=1&cursor=${page2.body.nextCursor}`);
    expect(page3.body.documents).toEqual([]);
    const byJob = await call(s.base, key, 'GET', `/v1/documents?job=nightly-7`);
    expect(byJob.body.documents.map((d: { job: string }) => d.job)).toEqual(['nightly-7']);
    expect((await call(s.base, key, 'GET', `/v1/documents?state=failed&collection=${collection}`)).body.documents).toEqual([]);
    expect((await call(s.base, key, 'GET', '/v1/documents?state=bogus')).status).toBe(400);
    expect((await call(s.base, key, 'GET', '/v1/documents?cursor=garbage')).status).toBe(400);
  });

  it('reindexes: the old chunks are deleted first, so a reindex with larger chunks leaves no stale ones', async () => {
    const before = await chroma().countDocumentChunks(collection, id);
    expect(before).toBeGreaterThan(2);
    // Reindex with chunks four times as large: fewer chunks, so stale ids would remain if the
    // old chunks were not deleted before the new ones were written.
    await worker.stop();
    worker = await s.startWorker({ SLUICE_CHUNK_SIZE: '4000', SLUICE_CHUNK_OVERLAP: '0' });
    const r = await call(s.base, key, 'POST', `/v1/documents/${id}/reindex`);
    expect(r.status).toBe(202);
    expect(r.body.document).toMatchObject({ state: 'queued', attempts: 0 });
    const doc = await waitTerminal(s.base, key, id);
    expect(doc.state).toBe('succeeded');
    expect(doc.chunks).toBeLessThan(before);
    expect(await chroma().countDocumentChunks(collection, id)).toBe(doc.chunks);
    expect((await call(s.base, key, 'POST', `/v1/documents/${id}/reindex`)).status).toBe(202);
    expect((await call(s.base, key, 'POST', `/v1/documents/${id}/reindex`)).status).toBe(409); // already queued
    await waitTerminal(s.base, key, id);
  });

  it('deletes the document and its chunks', async () => {
    expect(await chroma().countDocumentChunks(collection, id)).toBeGreaterThan(0);
    const r = await call(s.base, key, 'DELETE', `/v1/documents/${id}`);
    expect(r.status).toBe(204);
    expect(await chroma().countDocumentChunks(collection, id)).toBe(0);
    expect((await call(s.base, key, 'GET', `/v1/documents/${id}`)).status).toBe(404);
  });
});
