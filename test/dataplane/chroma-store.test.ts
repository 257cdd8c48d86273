// The Chroma store against the real server: writes larger than the server's max batch size are
// cut into batches, ids are deterministic, and a document's chunks can be deleted alone; with
// storeText off the text goes to PostgreSQL instead of the records' documents.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ChromaStore } from '../../src/shared/chroma-store.ts';
import type { Chunk } from '../../src/shared/chunking.ts';
import { loadChunkTexts } from '../../src/shared/db/chunks.ts';
import { migrate } from '../../src/shared/db/migrations.ts';
import { hashEmbed } from '../../src/shared/embedding/offline.ts';
import { StoreBatcher } from '../../src/worker/store-batcher.ts';
import { createSchema } from './support/stack.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

const store = () => new ChromaStore({ url: inject('chromaUrl'), tenant: 'default_tenant', database: 'default_database', token: undefined });
const chunk = (i: number): Chunk => ({ index: i, text: `chunk ${i}`, pageStart: 1 + Math.floor(i / 10), pageEnd: 1 + Math.floor(i / 10), hash: 'h'.repeat(64) });

let pool: pg.Pool;
let drop: () => Promise<void>;

beforeAll(async () => {
  const schema = await createSchema();
  drop = schema.drop;
  pool = new pg.Pool({ connectionString: schema.url, max: 3 });
  await migrate(pool);
});
afterAll(async () => {
  await pool?.end();
  await drop?.();
});

async function insertDocument(collection: string): Promise<string> {
  const id = randomUUID();
  await pool.query(`INSERT INTO documents (id, collection, state) VALUES ($1, $2, 'processing')`, [id, collection]);
  return id;
}

describe('chroma store', () => {
  it('upserts more chunks than the server accepts in one request, once each, and deletes by document', async () => {
    const s = store();
    const max = await s.maxBatchSize();
    expect(max).toBeGreaterThan(0);
    const n = max + 123;
    const col = `batches-${Date.now()}`;
    const chunks = Array.from({ length: n }, (_, i) => chunk(i));
    const vectors = chunks.map((c) => hashEmbed(c.text, 8));
    const doc = '11111111-1111-4111-8111-111111111111';
    const other = '22222222-2222-4222-8222-222222222222';
    await s.upsertChunks(col, doc, chunks, vectors, 'm', 8);
    await s.upsertChunks(col, doc, chunks, vectors, 'm', 8); // the same ids again: no duplicates
    await s.upsertChunks(col, other, chunks.slice(0, 5), vectors.slice(0, 5), 'm', 8);
    expect(await s.countDocumentChunks(col, doc)).toBe(n);
    // Approximate search over many near-identical 8-dimension vectors need not return chunk 42
    // itself; whatever it returns must carry the metadata of its own text.
    const hits = await s.query(col, hashEmbed('chunk 42', 8), 5, 'm', 8, [doc]);
    expect(hits.length).toBe(5);
    for (const hit of hits) {
      expect(hit.documentId).toBe(doc);
      expect(hit.text).toBe(`chunk ${hit.chunkIndex}`);
      expect([hit.pageStart, hit.pageEnd]).toEqual([1 + Math.floor(hit.chunkIndex / 10), 1 + Math.floor(hit.chunkIndex / 10)]);
    }
    await s.deleteDocument(col, doc, 'm', 8);
    expect(await s.countDocumentChunks(col, doc)).toBe(0);
    expect(await s.countDocumentChunks(col, other)).toBe(5);
  });

  it('refuses a collection built with another model or dimension', async () => {
    const col = `mismatch-store-${Date.now()}`;
    await store().upsertChunks(col, '33333333-3333-4333-8333-333333333333', [chunk(0)], [hashEmbed('x', 8)], 'm', 8);
    await expect(store().upsertChunks(col, '44444444-4444-4444-8444-444444444444', [chunk(0)], [hashEmbed('x', 16)], 'm', 16)).rejects.toMatchObject({ type: 'EmbeddingMismatch' });
  });

  it('reports an unreachable server as StoreUnavailable (transient)', async () => {
    const s = new ChromaStore({ url: 'http://127.0.0.1:1', tenant: 'default_tenant', database: 'default_database', token: undefined });
    await expect(s.upsertChunks('unreachable', '55555555-5555-4555-8555-555555555555', [chunk(0)], [hashEmbed('x', 8)], 'm', 8)).rejects.toMatchObject({
      type: 'StoreUnavailable',
      permanent: false,
    });
  });

  it('writes documents that finish together in one request (group commit), and fails only the group that fails', async () => {
    const s = store();
    const batcher = new StoreBatcher(s, { pool, storeText: true });
    const col = `group-${Date.now()}`;
    const bad = `group-bad-${Date.now()}`;
    await s.upsertChunks(bad, '66666666-6666-4666-8666-666666666666', [chunk(0)], [hashEmbed('x', 8)], 'm', 8);
    const ids = Array.from({ length: 10 }, (_, i) => `77777777-7777-4777-8777-${String(i).padStart(12, '0')}`);
    const chunks = [chunk(0), chunk(1), chunk(2)];
    const results = await Promise.allSettled([
      ...ids.map((id) => batcher.write(col, id, chunks, chunks.map((c) => hashEmbed(c.text, 8)), 'm', 8)),
      batcher.write(bad, '88888888-8888-4888-8888-888888888888', [chunk(0)], [hashEmbed('x', 16)], 'm', 16),
    ]);
    expect(results.slice(0, 10).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[10]).toMatchObject({ status: 'rejected', reason: { type: 'EmbeddingMismatch' } });
    // The first write goes alone; the ten others arrive while it is in flight and share requests.
    expect(batcher.flushes).toBeLessThanOrEqual(3);
    for (const id of ids) expect(await s.countDocumentChunks(col, id)).toBe(3);
  });

  it('writes records without their text when asked: a query gives their text as null', async () => {
    const s = store();
    const col = `no-text-${Date.now()}`;
    const doc = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
    const chunks = [chunk(0), chunk(1)];
    await s.upsertChunks(col, doc, chunks, chunks.map((c) => hashEmbed(c.text, 8)), 'm', 8, { storeText: false });
    const hits = await s.query(col, hashEmbed('chunk 1', 8), 2, 'm', 8);
    expect(hits.map((h) => [h.chunkIndex, h.text]).sort()).toEqual([
      [0, null],
      [1, null],
    ]);
    // Written again with text: the same records now carry it.
    await s.upsertChunks(col, doc, chunks, chunks.map((c) => hashEmbed(c.text, 8)), 'm', 8);
    expect((await s.query(col, hashEmbed('chunk 1', 8), 2, 'm', 8)).map((h) => h.text).sort()).toEqual(['chunk 0', 'chunk 1']);
  });

  it('with storeText off, writes a group\'s text to PostgreSQL and its vectors without text; removeDocument removes both', async () => {
    const s = store();
    const batcher = new StoreBatcher(s, { pool, storeText: false });
    const col = `pg-text-${Date.now()}`;
    const [a, b] = [await insertDocument(col), await insertDocument(col)];
    const gone = randomUUID(); // no row in documents: deleted meanwhile, its text is not kept
    const chunks = [chunk(0), chunk(1), chunk(2)];
    const vectors = chunks.map((c) => hashEmbed(c.text, 8));
    await Promise.all([a, b, gone].map((id) => batcher.write(col, id, chunks, vectors, 'm', 8)));
    const keys = [a, b, gone].flatMap((documentId) => chunks.map((c) => ({ documentId, chunkIndex: c.index })));
    const texts = await loadChunkTexts(pool, keys);
    expect(texts.size).toBe(6);
    expect(texts.get(`${a}:2`)).toBe('chunk 2');
    expect(texts.get(`${gone}:0`)).toBeUndefined();
    const hits = await s.query(col, hashEmbed('chunk 2', 8), 9, 'm', 8);
    expect(hits).toHaveLength(9);
    expect(hits.every((h) => h.text === null)).toBe(true);

    await batcher.removeDocument(col, a, 'm', 8);
    expect(await s.countDocumentChunks(col, a)).toBe(0);
    expect((await loadChunkTexts(pool, keys)).size).toBe(3);
    expect(await s.countDocumentChunks(col, b)).toBe(3);
  });

  it('gives up on a server that accepts and never answers, as StoreUnavailable', async () => {
    const hole = await startTcpProxy('127.0.0.1', 1);
    hole.blackhole();
    try {
      const s = new ChromaStore({ url: `http://127.0.0.1:${hole.port}`, tenant: 'default_tenant', database: 'default_database', token: undefined, timeoutMs: 500 });
      const started = Date.now();
      await expect(s.upsertChunks('silent', '99999999-9999-4999-8999-999999999999', [chunk(0)], [hashEmbed('x', 8)], 'm', 8)).rejects.toMatchObject({
        type: 'StoreUnavailable',
        message: expect.stringMatching(/did not answer within 500 ms/),
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await hole.close();
    }
  });
});
