// PostgreSQL's bytes per chunk for a schema holding one collection: now (chunk_texts with its
// tsvector, GIN and other indexes, the term statistics), against the chunk text rows alone, as
// they were kept with storeText off before search had a lexical leg (with it on: nothing).
import type pg from 'pg';

export interface StorageReport {
  chunks: number;
  before: number;
  now: number;
  parts: Record<string, number>;
}

const size = async (db: pg.Pool, sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);

export async function storagePerChunk(db: pg.Pool): Promise<StorageReport> {
  await db.query('VACUUM ANALYZE chunk_texts, lexical_terms, lexical_collections');
  const chunks = await size(db, 'SELECT count(*) AS n FROM chunk_texts');
  await db.query('CREATE TEMP TABLE text_rows_only AS SELECT document_id, chunk_index, text FROM chunk_texts');
  await db.query('ALTER TABLE text_rows_only ADD PRIMARY KEY (document_id, chunk_index)');
  const before = await size(db, `SELECT pg_total_relation_size('text_rows_only') AS n`);
  await db.query('DROP TABLE text_rows_only');
  const parts = {
    'chunk rows (text, tsvector, pages, hash)': await size(db, `SELECT pg_table_size('chunk_texts') AS n`),
    'GIN index on the tsvectors': await size(db, `SELECT pg_relation_size('chunk_texts_tsv') AS n`),
    'other chunk indexes': await size(db, `SELECT pg_indexes_size('chunk_texts') - pg_relation_size('chunk_texts_tsv') AS n`),
    'term statistics': await size(db, `SELECT pg_total_relation_size('lexical_terms') + pg_total_relation_size('lexical_collections') AS n`),
  };
  const now = Object.values(parts).reduce((a, b) => a + b, 0);
  const per = (n: number) => n / Math.max(1, chunks);
  return { chunks, before: per(before), now: per(now), parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, per(v)])) };
}
