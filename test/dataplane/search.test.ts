// Search's three modes against the real PostgreSQL and Chroma, with the one stand-in allowed for
// semantic vectors (a server whose vectors the test defines, support/concept-embedder.ts): an
// exact code that only the lexical leg finds, a paraphrase that only the vector leg finds, and
// hybrid finding both; filters applied by both legs; identical texts answered once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, upload, waitTerminal, type Json } from './support/client.ts';
import { startConceptEmbedder, type ConceptEmbedder } from './support/concept-embedder.ts';
import { finished, putJob, waitJob } from './support/jobs.ts';
import { textPdf } from './support/pdf-factory.ts';
import { startPdfServer, type PdfServer } from './support/pdf-server.ts';
import { startStack, type Stack } from './support/stack.ts';

const CONCEPTS = [
  ['vacation', 'holiday', 'leave'],
  ['receipts', 'reimbursed', 'expenses'],
  ['travel', 'airline', 'flights'],
] as const;

let embedder: ConceptEmbedder;
let s: Stack;
let key: string;
let files: PdfServer;
const collection = `search-${Date.now()}`;
const other = `search-other-${Date.now()}`;
const ids: Record<string, string> = {};

async function add(name: string, pages: string[], o: { collection?: string; metadata?: Record<string, unknown> } = {}): Promise<string> {
  const r = await upload(s.base, key, await textPdf(pages), { collection: o.collection ?? collection, filename: `${name}.pdf`, ...(o.metadata ? { metadata: o.metadata } : {}) });
  expect(r.status).toBe(202);
  expect((await waitTerminal(s.base, key, r.body.document.id)).state).toBe('succeeded');
  return (ids[name] = r.body.document.id);
}

const search = async (body: Record<string, unknown>, as = key) => call(s.base, as, 'POST', '/v1/search', { collection, limit: 10, ...body });
const hits = async (body: Record<string, unknown>): Promise<Json[]> => {
  const r = await search(body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.results;
};
const names = (results: Json[]) => results.map((h) => h.filename.replace(/\.pdf$/, ''));

beforeAll(async () => {
  embedder = await startConceptEmbedder(CONCEPTS);
  s = await startStack({
    keys: [{ name: 'admin' }, { name: 'scoped', collections: [other] }],
    env: {
      SLUICE_EMBEDDING_PROVIDER: 'OpenAICompatible',
      SLUICE_EMBEDDING_ENDPOINT: embedder.endpoint,
      SLUICE_EMBEDDING_MODEL: 'concepts',
      SLUICE_EMBEDDING_DIMENSIONS: String(embedder.dimensions),
      SLUICE_CHUNK_SIZE: '200',
      SLUICE_CHUNK_OVERLAP: '0',
      SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true',
    },
  });
  key = s.keys.admin!;
  files = await startPdfServer();
  await s.startWorker();
  await add('vacation', ['Employees receive twenty days of annual vacation each year.'], { metadata: { team: 'hr' } });
  await add('receipts', ['Submit receipts within thirty days to get reimbursed.'], { metadata: { team: 'finance' } });
  await add('travel', ['Corporate airline bookings quote the reference code RX-99812-KQ at checkout.'], { metadata: { team: 'finance' } });
  await add('cafeteria', ['The cafeteria opens at eight in the morning.']);
  await add('parking', ['Parking permits are renewed every January at the front desk.']);
  await add('elsewhere', ['Annual vacation carries over until March.'], { collection: other });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await files?.close();
  await embedder?.close();
});

describe('search modes', () => {
  it('finds an exact code lexically, which the vectors cannot tell from any other text', async () => {
    expect(names(await hits({ query: 'RX-99812-KQ', mode: 'lexical' }))).toEqual(['travel']);
    const vector = await hits({ query: 'RX-99812-KQ', mode: 'vector' });
    expect(names(vector)[0]).not.toBe('travel');
    expect(names(await hits({ query: 'RX-99812-KQ', mode: 'hybrid' }))[0]).toBe('travel');
  });

  it('finds a paraphrase by its vector, which shares no word with the text', async () => {
    expect(await hits({ query: 'holiday leave allowance', mode: 'lexical' })).toEqual([]);
    expect(names(await hits({ query: 'holiday leave allowance', mode: 'vector' }))[0]).toBe('vacation');
    expect(names(await hits({ query: 'holiday leave allowance', mode: 'hybrid' }))[0]).toBe('vacation');
  });

  it('answers each hit with its document, pages, text, fused score and each leg’s rank', async () => {
    const r = await search({ query: 'reference code RX-99812-KQ', mode: 'hybrid' });
    expect(r.body.mode).toBe('hybrid');
    const top = r.body.results[0];
    expect(top).toMatchObject({
      documentId: ids.travel,
      filename: 'travel.pdf',
      source: null,
      job: null,
      metadata: { team: 'finance' },
      chunkIndex: 0,
      pageStart: 1,
      pageEnd: 1,
      ranks: { lexical: 1 },
      sharedByDocuments: 1,
    });
    expect(top.text).toContain('RX-99812-KQ');
    expect(top.score).toBeGreaterThan(0);
    expect(top.bm25).toBeGreaterThan(0);
    expect(top.ranks.vector).toBeGreaterThanOrEqual(1);
    expect(typeof top.distance).toBe('number');
  });

  it('uses the cluster’s mode when a search names none, and refuses an unknown one naming the field', async () => {
    expect((await search({ query: 'vacation' })).body.mode).toBe('hybrid');
    const bad = await search({ query: 'vacation', mode: 'semantic' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'InvalidMode', message: 'mode must be one of hybrid, vector, lexical' });
    expect((await search({ query: 'vacation', vectorWeight: 2 })).body.error.code).toBe('InvalidVectorWeight');
    expect((await search({ query: 'vacation', metadata: { team: ['hr'] } })).body.error).toMatchObject({ code: 'InvalidMetadata', message: 'metadata.team must be a string, a number or a boolean' });
  });
});

describe('filters', () => {
  let jobA: string;
  beforeAll(async () => {
    const policy = (n: number) => `Every policy document ${n} is reviewed by the board each year.`;
    for (const [path, n] of [['/hr/handbook.pdf', 1], ['/hr/benefits.pdf', 2], ['/eng/oncall.pdf', 3]] as const) files.files.set(path, { body: await textPdf([policy(n)]) });
    jobA = `filters-a-${Date.now()}`;
    const inline = (paths: string[], team: string) => paths.map((p) => ({ uri: `${files.base}${p}`, name: p.slice(p.lastIndexOf('/') + 1), metadata: { team } }));
    expect((await putJob(s.base, key, jobA, { collection, sources: { inline: inline(['/hr/handbook.pdf', '/hr/benefits.pdf'], 'people') } })).status).toBe(201);
    expect((await putJob(s.base, key, `${jobA}-b`, { collection, sources: { inline: inline(['/eng/oncall.pdf'], 'platform') } })).status).toBe(201);
    await waitJob(s.base, key, jobA, finished('Complete'));
    await waitJob(s.base, key, `${jobA}-b`, finished('Complete'));
  }, 60_000);

  const query = 'policy document reviewed by the board';
  it.each(['lexical', 'vector', 'hybrid'])('are applied by the %s leg before it ranks', async (mode) => {
    expect(names(await hits({ query, mode })).filter((n) => ['handbook', 'benefits', 'oncall'].includes(n)).sort()).toEqual(['benefits', 'handbook', 'oncall']);
    expect(names(await hits({ query, mode, job: jobA })).sort()).toEqual(['benefits', 'handbook']);
    expect(names(await hits({ query, mode, source: `${files.base}/eng/` }))).toEqual(['oncall']);
    expect(names(await hits({ query, mode, metadata: { team: 'people' } })).sort()).toEqual(['benefits', 'handbook']);
    expect(names(await hits({ query, mode, metadata: { team: 'people', nothing: 'such' } }))).toEqual([]);
    expect(names(await hits({ query: 'vacation', mode, documentId: ids.receipts }))).toEqual(['receipts'].filter(() => mode !== 'lexical'));
    const sourced = await hits({ query, mode, job: jobA });
    expect(sourced.every((h) => h.job === jobA && h.source.startsWith(`${files.base}/hr/`) && h.metadata.team === 'people')).toBe(true);
  });

  it('never reach another collection, whatever a key restricted to one asks', async () => {
    const scoped = s.keys.scoped!;
    expect((await search({ query: 'vacation' }, scoped)).status).toBe(403);
    // Its own collection, filtered to a document of another: nothing, in either leg.
    for (const mode of ['lexical', 'vector', 'hybrid']) {
      const r = await call(s.base, scoped, 'POST', '/v1/search', { collection: other, query: 'vacation', mode, documentId: ids.vacation });
      expect(r.status).toBe(200);
      expect(r.body.results).toEqual([]);
    }
    const own = await call(s.base, scoped, 'POST', '/v1/search', { collection: other, query: 'annual vacation', mode: 'hybrid' });
    expect(own.body.results.map((h: Json) => h.documentId)).toEqual([ids.elsewhere]);
  });
});

describe('identical chunk texts', () => {
  const boilerplate = 'This document is confidential and intended only for the staff of the company named above.';
  beforeAll(async () => {
    // Each page longer than half a chunk (200 characters here), so the boilerplate page is a chunk of its own.
    for (const n of [1, 2, 3]) await add(`memo-${n}`, [`Memo ${n} schedules the quarterly audit for week ${n * 7} of the year, with the ledgers of every branch office prepared beforehand.`, boilerplate]);
  }, 60_000);

  it.each(['lexical', 'vector', 'hybrid'])('come once in %s results, with the count of documents sharing them', async (mode) => {
    const results = await hits({ query: 'confidential intended only for the staff', mode, limit: 10 });
    const copies = results.filter((h) => h.text === boilerplate);
    expect(copies).toHaveLength(1);
    expect(copies[0].sharedByDocuments).toBe(3);
    expect(results.filter((h) => h.text !== boilerplate).every((h) => h.sharedByDocuments === 1)).toBe(true);
  });
});
