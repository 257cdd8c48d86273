// The worker's store step for a benchmark, with stores.chroma.storeText on or off: the real
// StoreBatcher over a ChromaStore and, for the chunks, a PostgreSQL schema of its own on one
// connection, whose backend's CPU the benchmark can count.
import pg from 'pg';
import { createSchema, type PgSchema } from '@sluice/devenv/pg-schema';
import { ChromaStore } from '../src/shared/chroma-store.ts';
import type { Chunk } from '../src/shared/chunking.ts';
import type { saveChunks } from '../src/shared/db/chunks.ts';
import { foldLexicalJournal } from '../src/shared/db/lexical-stats.ts';
import { migrate } from '../src/shared/db/migrations.ts';
import { StoreBatcher } from '../src/worker/store-batcher.ts';
import { cpuSeconds } from './cpu.ts';

export interface StoreUnderTest {
  pool: pg.Pool;
  /** As the worker writes a document's chunks (group commit included). */
  write(collection: string, documentId: string, chunks: readonly Chunk[], vectors: readonly number[][], model: string, dimensions: number): Promise<void>;
  /** CPU seconds of the PostgreSQL backend that stores the chunks. */
  postgresCpu(): number;
  /** What a worker does after the writes: folds the lexical journal into the term statistics. */
  foldJournal(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `documentIds`: the documents that will be written, recorded now (outside what is measured)
 * because chunk text refers to its document's row, as it does when the API has taken an upload.
 */
/**
 * Chunks kept as plain text rows, as before search had a lexical leg: no tsvector, no term
 * statistics. What the lexical index costs is the difference.
 */
const textRowsOnly: typeof saveChunks = async (db, rows) => {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO chunk_texts (document_id, chunk_index, text) SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[])
     ON CONFLICT (document_id, chunk_index) DO UPDATE SET text = EXCLUDED.text`,
    [rows.map((r) => r.documentId), rows.map((r) => r.chunkIndex), rows.map((r) => r.text)],
  );
};

export async function openStoreUnderTest(chromaUrl: string, storeText: boolean, documentIds: readonly string[], lexicalIndex = true): Promise<StoreUnderTest> {
  const schema: PgSchema = await createSchema('bench_store');
  // One connection that never idles out, so that its backend is the one process to read.
  const pool = new pg.Pool({ connectionString: schema.url, max: 1, idleTimeoutMillis: 0 });
  await migrate(pool);
  const backend = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  await pool.query(`INSERT INTO documents (id, collection, state) SELECT unnest($1::uuid[]), 'bench', 'processing'`, [documentIds]);
  const batcher = new StoreBatcher(new ChromaStore({ url: chromaUrl, tenant: 'default_tenant', database: 'default_database', token: undefined }), {
    pool,
    storeText,
    ...(lexicalIndex ? {} : { saveChunks: textRowsOnly }),
  });
  return {
    pool,
    write: (...args) => batcher.write(...args),
    postgresCpu: () => cpuSeconds(backend),
    foldJournal: async () => void (await foldLexicalJournal(pool)),
    async close() {
      await pool.end();
      await schema.drop();
    },
  };
}
