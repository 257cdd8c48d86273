// stores.chroma.storeText end to end, against the real Chroma: PostgreSQL's chunk_texts keeps
// every chunk's text either way (lexical search needs it), and with it on the records' documents
// hold it too. Search answers the same in both; a document's delete, a job's purge and a reindex
// under the other setting leave no text behind.
import { ChromaClient } from 'chromadb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningWorker } from '../../src/worker/main.ts';
import { call, upload, waitTerminal, type Json } from './support/client.ts';
import { finished, putJob, waitJob } from './support/jobs.ts';
import { prose, textPdf } from './support/pdf-factory.ts';
import { startPdfServer, type PdfServer } from './support/pdf-server.ts';
import { startStack, type Stack } from './support/stack.ts';

const QUERY = 'quartermaster platypus ledger lighthouse';
const pdf = () => textPdf([prose(31, 1), prose(31, 2), `The quartermaster hid the platypus ledger in the lighthouse. ${prose(31, 3, 200)}`, prose(31, 4)]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What Chroma itself holds for a document: its records' documents, in chunk order. */
async function chromaDocuments(collection: string, documentId: string): Promise<(string | null)[]> {
  const u = new URL(inject('chromaUrl'));
  const client = new ChromaClient({ host: u.hostname, port: Number(u.port), ssl: false });
  const col = await client.getCollection({ name: collection, embeddingFunction: undefined });
  const r = await col.get({ where: { document_id: documentId }, include: ['documents', 'metadatas'] });
  return r.ids.map((_, i) => ({ i: Number(r.metadatas[i]?.chunk_index), d: r.documents[i] ?? null })).sort((a, b) => a.i - b.i).map((x) => x.d);
}

async function textRows(db: pg.Pool, documentId: string): Promise<string[]> {
  const { rows } = await db.query<{ text: string }>('SELECT text FROM chunk_texts WHERE document_id = $1 ORDER BY chunk_index', [documentId]);
  return rows.map((r) => r.text);
}

async function statsSettled(db: pg.Pool): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM lexical_journal')).rows[0]!.n === 0) return;
    await sleep(100);
  }
  throw new Error('the lexical journal was not folded into the statistics within 10 s');
}

/** Search results without what differs between two stacks (document ids). */
const comparable = (results: Json[]) => results.map(({ documentId: _, ...rest }: Json) => rest);
const answers = new Map<boolean, Json[]>();

describe.each([false, true])('storeText %s', (storeText) => {
  let s: Stack;
  let key: string;
  let db: pg.Pool;
  let worker: RunningWorker;
  let files: PdfServer;
  const collection = `store-text-${storeText}-${Date.now()}`;

  beforeAll(async () => {
    s = await startStack({ env: { SLUICE_CHROMA_STORE_TEXT: String(storeText), SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
    key = s.keys.admin!;
    db = new pg.Pool({ connectionString: s.pgUrl, max: 2 });
    files = await startPdfServer();
    worker = await s.startWorker();
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.end();
    await files?.close();
    await s?.stop();
  });

  let id: string;

  it('keeps chunk text where the setting says, and search returns it with its pages', async () => {
    const r = await upload(s.base, key, await pdf(), { collection });
    expect(r.status).toBe(202);
    id = r.body.document.id;
    const doc = await waitTerminal(s.base, key, id);
    expect(doc.state).toBe('succeeded');
    const inChroma = await chromaDocuments(collection, id);
    expect(inChroma).toHaveLength(doc.chunks);
    const inPostgres = await textRows(db, id);
    expect(inPostgres).toHaveLength(doc.chunks);
    if (storeText) expect(inChroma).toEqual(inPostgres);
    else expect(inChroma.every((t) => t === null)).toBe(true);
    const texts = inPostgres;

    // With the term statistics folded in (the worker does it within a second), the same for both.
    await statsSettled(db);
    const found = await call(s.base, key, 'POST', '/v1/search', { collection, query: QUERY, limit: 100 });
    expect(found.status).toBe(200);
    const results = found.body.results as Json[];
    expect(results).toHaveLength(doc.chunks);
    expect(results[0].text).toContain('platypus ledger');
    expect(results[0].pageStart).toBeLessThanOrEqual(3);
    expect(results[0].pageEnd).toBeGreaterThanOrEqual(3);
    for (const hit of results) {
      expect(hit.documentId).toBe(id);
      expect(hit.text).toBe(texts[hit.chunkIndex]);
    }
    answers.set(storeText, results);
  });

  it('removes the chunk texts with the document', async () => {
    expect((await call(s.base, key, 'DELETE', `/v1/documents/${id}`)).status).toBe(204);
    expect(await textRows(db, id)).toEqual([]);
    expect(await chromaDocuments(collection, id)).toEqual([]);
    const found = await call(s.base, key, 'POST', '/v1/search', { collection, query: QUERY });
    expect(found.body.results).toEqual([]);
  });

  it('removes the chunk texts of a purged job', async () => {
    const inline = [];
    for (let i = 0; i < 3; i++) {
      files.files.set(`/p-${i}.pdf`, { body: await textPdf([prose(3100 + i, 1, 300)]) });
      inline.push({ uri: `${files.base}/p-${i}.pdf` });
    }
    const job = `purge-${storeText}`;
    expect((await putJob(s.base, key, job, { collection, sources: { inline } })).status).toBe(201);
    await waitJob(s.base, key, job, finished('Complete'));
    const ids = (await db.query<{ id: string }>('SELECT id FROM documents WHERE job = $1', [job])).rows.map((r) => r.id);
    expect(ids).toHaveLength(3);
    const rows = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM chunk_texts WHERE document_id = ANY($1)', [ids])).rows[0]!.n;
    const chunks = (await db.query<{ n: number }>('SELECT sum(chunks)::int AS n FROM documents WHERE job = $1', [job])).rows[0]!.n;
    expect(chunks).toBeGreaterThanOrEqual(3);
    expect(await rows()).toBe(chunks);
    let last = await call(s.base, key, 'DELETE', `/v1/jobs/${job}?purge=true`);
    for (let i = 0; i < 100 && last.status === 202; i++) {
      await sleep(200);
      last = await call(s.base, key, 'DELETE', `/v1/jobs/${job}?purge=true`);
    }
    expect(last.status).toBe(204);
    expect(await rows()).toBe(0);
    for (const d of ids) expect(await chromaDocuments(collection, d)).toEqual([]);
  });

  it('keeps the text where the new setting says when a document is reindexed under it', async () => {
    const r = await upload(s.base, key, await textPdf([`The quartermaster counted lanterns. ${prose(32, 1)}`, prose(32, 2)]), { collection });
    const doc = await waitTerminal(s.base, key, r.body.document.id);
    expect(doc.state).toBe('succeeded');
    await worker.stop();
    worker = await s.startWorker({ SLUICE_CHROMA_STORE_TEXT: String(!storeText) });
    expect((await call(s.base, key, 'POST', `/v1/documents/${doc.id}/reindex`)).status).toBe(202); // queued at once
    expect((await waitTerminal(s.base, key, doc.id)).state).toBe('succeeded');
    const inChroma = await chromaDocuments(collection, doc.id);
    const inPostgres = await textRows(db, doc.id);
    expect(inChroma).toHaveLength(doc.chunks);
    expect(inPostgres).toHaveLength(doc.chunks);
    if (storeText) expect(inChroma.every((t) => t === null)).toBe(true); // now off: Chroma no longer holds it
    else expect(inChroma).toEqual(inPostgres);
    const texts = inPostgres;
    expect(texts.join(' ')).toContain('quartermaster counted lanterns');
    const found = await call(s.base, key, 'POST', '/v1/search', { collection, query: 'quartermaster counted lanterns', documentId: doc.id, limit: 100 });
    expect(found.body.results).toHaveLength(doc.chunks);
    for (const hit of found.body.results as Json[]) expect(hit.text).toBe(texts[hit.chunkIndex]);
  });
});

describe('both settings', () => {
  it('answer the same search with the same results', () => {
    expect(answers.size).toBe(2);
    expect(comparable(answers.get(false)!)).toEqual(comparable(answers.get(true)!));
  });
});
