// Migration 6 on collections ingested before it: chunk text only in Chroma (storeText on), or in
// PostgreSQL without its tsvector (storeText off). The schema migration itself is quick; the
// worker's backfill then indexes them in small batches, and search answers throughout: from the
// vector leg only at first, and from both legs as the backlog shrinks. The collections' term
// statistics stay equal to the chunks' as documents are deleted and reindexed.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ChromaStore } from '../../src/shared/chroma-store.ts';
import { chunkPages } from '../../src/shared/chunking.ts';
import { foldLexicalJournal } from '../../src/shared/db/lexical-stats.ts';
import { migrate, MIGRATIONS } from '../../src/shared/db/migrations.ts';
import { OfflineEmbedder } from '../../src/shared/embedding/offline.ts';
import { backfillLexical } from '../../src/worker/lexical-backfill.ts';
import { call, type Json } from './support/client.ts';
import { prose } from './support/pdf-factory.ts';
import { createSchema, startStack, type Stack } from './support/stack.ts';

const DOCS = 6;
const embedder = new OfflineEmbedder('sluice-hash-v1', 384);
let schema: Awaited<ReturnType<typeof createSchema>>;
let pool: pg.Pool;
let chroma: ChromaStore;
let s: Stack;
let key: string;
const stamp = Date.now();
const legacy = { text: `legacy-text-${stamp}`, pg: `legacy-pg-${stamp}` };
/** Each document's marker word, and its chunks' texts in order. */
const written = new Map<string, { collection: string; marker: string; texts: string[] }>();

/** Writes documents as a worker of before migration 6 did: chunks in Chroma, text in Chroma or in chunk_texts alone. */
async function writeLegacy(collection: string, storeText: boolean, first: number): Promise<void> {
  await pool.query('INSERT INTO collections (name, model, dimensions) VALUES ($1, $2, $3)', [collection, embedder.model, embedder.dimensions]);
  for (let i = first; i < first + DOCS; i++) {
    const id = randomUUID();
    const marker = `zorblax${i}`;
    const chunks = await chunkPages([{ page: 1, text: `${prose(700 + i, 1, 120)} ${marker} ${prose(700 + i, 2, 120)}` }, { page: 2, text: prose(700 + i, 3, 200) }], 1000, 150);
    await pool.query(`INSERT INTO documents (id, collection, state, stage, chunks, pages, filename) VALUES ($1, $2, 'succeeded', 'done', $3, 2, $4)`, [id, collection, chunks.length, `${marker}.pdf`]);
    await chroma.upsertMany(collection, [{ documentId: id, chunks, vectors: await embedder.embed(chunks.map((c) => c.text)) }], embedder.model, embedder.dimensions, { storeText });
    if (!storeText) {
      for (const c of chunks) await pool.query('INSERT INTO chunk_texts (document_id, chunk_index, text) VALUES ($1, $2, $3)', [id, c.index, c.text]);
    }
    written.set(id, { collection, marker, texts: chunks.map((c) => c.text) });
  }
}

const search = async (collection: string, query: string, mode: string): Promise<Json[]> => {
  const r = await call(s.base, key, 'POST', '/v1/search', { collection, query, mode, limit: 50 });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.results;
};

/** lexical_terms and lexical_collections, with the journal folded in, against what the chunks hold: the rows that differ. */
async function statsDrift(): Promise<unknown[]> {
  await foldLexicalJournal(pool, 7);
  expect((await pool.query('SELECT count(*)::int AS n FROM lexical_journal')).rows[0].n).toBe(0);
  const { rows } = await pool.query(`
    WITH actual AS (SELECT collection, u.lexeme AS term, count(*)::int AS df FROM chunk_texts, unnest(tsv) u WHERE tsv IS NOT NULL GROUP BY 1, 2),
         kept AS (SELECT collection, term, df FROM lexical_terms WHERE df <> 0)
    (SELECT 'terms' AS t, * FROM actual EXCEPT SELECT 'terms', * FROM kept) UNION ALL (SELECT 'terms', * FROM kept EXCEPT SELECT 'terms', * FROM actual)
    UNION ALL
    (SELECT 'collections', collection, chunks::text, tokens::int FROM lexical_collections WHERE chunks <> 0
     EXCEPT SELECT 'collections', collection, count(*)::text, sum(tokens)::int FROM chunk_texts WHERE tsv IS NOT NULL GROUP BY collection)`);
  return rows;
}

beforeAll(async () => {
  schema = await createSchema();
  pool = new pg.Pool({ connectionString: schema.url, max: 4 });
  chroma = new ChromaStore({ url: inject('chromaUrl'), tenant: 'default_tenant', database: 'default_database', token: undefined });
  await migrate(pool, MIGRATIONS.filter((m) => m.version <= 5));
  await writeLegacy(legacy.text, true, 0);
  await writeLegacy(legacy.pg, false, DOCS);
  // Migration 6, and those after it (7 page text sources, 8 sealed credentials), run on the legacy
  // schema; once only.
  expect(await migrate(pool)).toEqual([6, 7, 8]);
  expect((await migrate(pool, MIGRATIONS)).length).toBe(0);
  // The API on the migrated schema; no worker, so the backfill runs only when the test says.
  s = await startStack({ postgresUrl: schema.url });
  key = s.keys.admin!;
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await pool?.end();
  await schema?.drop();
});

describe('migration 6 on existing collections', () => {
  it('leaves every document to the backfill, and search answers from the vectors meanwhile', async () => {
    expect((await pool.query(`SELECT count(*)::int AS n FROM documents WHERE NOT lexical_indexed`)).rows[0].n).toBe(2 * DOCS);
    for (const collection of Object.values(legacy)) {
      expect(await search(collection, 'zorblax3 zorblax9', 'lexical')).toEqual([]);
      const hybrid = await search(collection, prose(700 + (collection === legacy.text ? 2 : DOCS + 2), 3, 30), 'hybrid');
      expect(hybrid.length).toBeGreaterThan(0);
      for (const h of hybrid) expect(h.text).toBe(written.get(h.documentId)!.texts[h.chunkIndex]);
    }
  });

  it('backfills in batches, and search finds more by words as it goes', async () => {
    const first = await backfillLexical(pool, chroma, 0, 2);
    expect(first).toMatchObject({ ran: true, documents: 2, textless: 0, left: 2 * DOCS - 2 });
    const indexed = (await pool.query<{ id: string }>('SELECT id FROM documents WHERE lexical_indexed')).rows.map((r) => written.get(r.id)!);
    expect(indexed).toHaveLength(2);
    for (const doc of indexed) expect(new Set((await search(doc.collection, doc.marker, 'lexical')).map((h) => h.filename))).toEqual(new Set([`${doc.marker}.pdf`]));
    let left = first.left;
    while (left > 0) left = (await backfillLexical(pool, chroma, 0, 2)).left;
    expect(await backfillLexical(pool, chroma, 1_000, 2)).toMatchObject({ documents: 0, left: 0 });
  });

  it('has every chunk in PostgreSQL afterwards, with its text, pages and hash, found by both legs', async () => {
    for (const [id, doc] of written) {
      const { rows } = await pool.query('SELECT chunk_index, text, page_start, collection, content_sha256 FROM chunk_texts WHERE document_id = $1 ORDER BY chunk_index', [id]);
      expect(rows.map((r) => r.text)).toEqual(doc.texts);
      expect(rows.every((r) => r.collection === doc.collection && r.page_start >= 1 && /^[0-9a-f]{64}$/.test(r.content_sha256))).toBe(true);
      for (const mode of ['lexical', 'hybrid']) expect((await search(doc.collection, doc.marker, mode))[0].documentId).toBe(id);
    }
    expect(await statsDrift()).toEqual([]);
  });

  it('keeps the term statistics equal to the chunks through deletes and reindexes', async () => {
    const [doomed, reindexed] = [...written.keys()];
    expect((await call(s.base, key, 'DELETE', `/v1/documents/${doomed}`)).status).toBe(204);
    // A reindex as a worker does it: the old chunks go, the new ones (fewer) come.
    const doc = written.get(reindexed!)!;
    await pool.query('DELETE FROM chunk_texts WHERE document_id = $1', [reindexed]);
    await pool.query(
      `INSERT INTO chunk_texts (document_id, chunk_index, text, collection, page_start, page_end, content_sha256, tsv, tokens)
       VALUES ($1, 0, $2, $3, 1, 1, 'x', to_tsvector('simple', $2), 3)`,
      [reindexed, `${doc.marker} was reindexed`, doc.collection],
    );
    await pool.query(`UPDATE chunk_texts SET tsv = to_tsvector('simple', text || ' again'), tokens = tokens + 1 WHERE document_id = $1`, [reindexed]);
    expect(await statsDrift()).toEqual([]);
  });
});
