// Versioned schema migrations. Any number of replicas may start at once: each takes the same
// advisory lock (scoped to the schema), applies what is missing in order, and releases it.
import type pg from 'pg';
import { inTransaction } from './transaction.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents',
    sql: `
      CREATE TABLE documents (
        id uuid PRIMARY KEY,
        collection text NOT NULL,
        sha256 text,
        filename text,
        size_bytes bigint,
        metadata jsonb NOT NULL DEFAULT '{}',
        job text,
        api_key text,
        idempotency_key text,
        state text NOT NULL CHECK (state IN ('uploading', 'queued', 'processing', 'succeeded', 'failed')),
        stage text,
        attempts integer NOT NULL DEFAULT 0,
        pages integer,
        chunks integer,
        error_type text,
        error_message text,
        worker_id text,
        heartbeat_at timestamptz,
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      );
      CREATE UNIQUE INDEX documents_collection_sha256 ON documents (collection, sha256) WHERE sha256 IS NOT NULL;
      CREATE UNIQUE INDEX documents_idempotency ON documents (api_key, idempotency_key) WHERE idempotency_key IS NOT NULL;
      CREATE INDEX documents_state ON documents (state, heartbeat_at);
      CREATE INDEX documents_listing ON documents (collection, created_at, id);
      CREATE TABLE document_parts (
        document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (document_id, seq)
      );
      CREATE TABLE collections (
        name text PRIMARY KEY,
        model text NOT NULL,
        dimensions integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 2,
    name: 'documents.may_have_chunks',
    // Set before a worker first writes to Chroma, so that only documents that may have chunks
    // there pay for a delete-by-document before their chunks are written (a write to Chroma is
    // the slowest step of a small document).
    sql: `ALTER TABLE documents ADD COLUMN may_have_chunks boolean NOT NULL DEFAULT false;`,
  },
  {
    version: 3,
    name: 'jobs',
    // IngestionJobs (docs/jobs.md). A job's documents start `pending` with a source URI and no
    // bytes; the dispatcher moves them to `queued`. `job_sources` holds the expansion cursor of
    // each (job, source), tied to the spec it was made for, so a changed spec starts a new pass.
    sql: `
      CREATE TABLE jobs (
        id text PRIMARY KEY,
        collection text NOT NULL,
        source_kind text NOT NULL,
        spec jsonb NOT NULL,
        spec_hash text NOT NULL,
        state text NOT NULL DEFAULT 'Pending' CHECK (state IN ('Pending', 'Running', 'Suspended', 'Complete', 'Failed')),
        reason text,
        message text,
        failure_reason text,
        failure_message text,
        retry_nonce text,
        deleting boolean NOT NULL DEFAULT false,
        last_dispatched_at timestamptz,
        pruned_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        completed_at timestamptz
      );
      CREATE TABLE job_sources (
        job text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        source text NOT NULL,
        spec_hash text NOT NULL,
        cursor text,
        done boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (job, source)
      );
      ALTER TABLE documents ADD COLUMN source_uri text, ADD COLUMN source_key text;
      ALTER TABLE documents DROP CONSTRAINT documents_state_check;
      ALTER TABLE documents ADD CONSTRAINT documents_state_check
        CHECK (state IN ('uploading', 'pending', 'queued', 'processing', 'succeeded', 'failed', 'skipped'));
      CREATE UNIQUE INDEX documents_job_source ON documents (job, source_key) WHERE job IS NOT NULL;
      CREATE INDEX documents_job_state ON documents (job, state, created_at) WHERE job IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'chunk_texts',
    // Chunk text kept here instead of in Chroma's documents when stores.chroma.storeText is off
    // (Chroma then skips its full-text index of it); search joins it back by chunk. Goes with
    // its document's row, so a delete or purge needs nothing more.
    sql: `
      CREATE TABLE chunk_texts (
        document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        chunk_index integer NOT NULL,
        text text NOT NULL,
        PRIMARY KEY (document_id, chunk_index)
      );
    `,
  },
  {
    version: 5,
    name: 'document_parts.data storage external',
    // A PDF's bytes are compressed already: TOAST's default pglz tried every part and gave up,
    // a large share of PostgreSQL's CPU on an upload. Out of line, uncompressed.
    // Parts written before keep their form; only the catalog changes.
    sql: `ALTER TABLE document_parts ALTER COLUMN data SET STORAGE EXTERNAL;`,
  },
  {
    version: 6,
    name: 'chunks for lexical search',
    // Every chunk's text, pages, content hash and tsvector in PostgreSQL, whatever storeText
    // says (shared/db/chunks.ts), indexed with GIN for the lexical leg of search. BM25 needs
    // per-collection term statistics: statement triggers journal each chunk that comes or goes,
    // and the worker folds the journal into them in batches (shared/db/lexical-stats.ts), which
    // costs a writer far less than counting every term of every chunk as it is written, and never
    // makes two writers wait on a common word's row. New columns are null
    // for existing rows and the indexes are built on them empty; the worker's backfill
    // (worker/lexical-backfill.ts) fills existing collections in small batches afterwards,
    // marking each document lexical_indexed. The content hash's index leads with the hash: led
    // by the collection, a planner without statistics (autovacuum off) ANDs a whole
    // collection's entries into every lexical search.
    sql: `
      ALTER TABLE chunk_texts
        ADD COLUMN collection text,
        ADD COLUMN page_start integer,
        ADD COLUMN page_end integer,
        ADD COLUMN content_sha256 text,
        ADD COLUMN tokens integer,
        ADD COLUMN tsv tsvector;
      CREATE INDEX chunk_texts_tsv ON chunk_texts USING gin (tsv);
      CREATE INDEX chunk_texts_content ON chunk_texts (content_sha256);
      ALTER TABLE collections ADD COLUMN text_search_config text NOT NULL DEFAULT 'simple';
      ALTER TABLE documents ADD COLUMN lexical_indexed boolean NOT NULL DEFAULT false;
      CREATE INDEX documents_lexical_backlog ON documents (id) WHERE NOT lexical_indexed AND state = 'succeeded';
      CREATE INDEX documents_source_uri ON documents (collection, source_uri text_pattern_ops) WHERE source_uri IS NOT NULL;
      CREATE TABLE lexical_terms (
        collection text NOT NULL,
        term text NOT NULL,
        df integer NOT NULL,
        PRIMARY KEY (collection, term)
      );
      CREATE TABLE lexical_collections (
        collection text PRIMARY KEY,
        chunks bigint NOT NULL,
        tokens bigint NOT NULL
      );
      CREATE TABLE lexical_journal (
        id bigserial PRIMARY KEY,
        collection text NOT NULL,
        tsv tsvector NOT NULL,
        tokens integer NOT NULL,
        sign smallint NOT NULL
      );
      CREATE FUNCTION lexical_journal_remove() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO lexical_journal (collection, tsv, tokens, sign) SELECT collection, tsv, tokens, -1 FROM old_rows WHERE tsv IS NOT NULL;
        RETURN NULL;
      END $$;
      CREATE FUNCTION lexical_journal_add() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO lexical_journal (collection, tsv, tokens, sign) SELECT collection, tsv, tokens, 1 FROM new_rows WHERE tsv IS NOT NULL;
        RETURN NULL;
      END $$;
      CREATE TRIGGER chunk_texts_journal_insert AFTER INSERT ON chunk_texts
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lexical_journal_add();
      CREATE TRIGGER chunk_texts_journal_delete AFTER DELETE ON chunk_texts
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lexical_journal_remove();
      CREATE TRIGGER chunk_texts_journal_update_old AFTER UPDATE ON chunk_texts
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lexical_journal_remove();
      CREATE TRIGGER chunk_texts_journal_update_new AFTER UPDATE ON chunk_texts
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lexical_journal_add();
    `,
  },
  {
    version: 7,
    name: 'page text sources',
    // Where each page's text came from (native, ocr, none), per page and per chunk (ocr when any
    // of its pages' text was recognised); a document's counts of both; and ocr_pages, the pages
    // a worker is recognising now, which the queue summary adds up for the autoscaler.
    sql: `
      CREATE TABLE document_pages (
        document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        page integer NOT NULL,
        text_source text NOT NULL CHECK (text_source IN ('native', 'ocr', 'none')),
        chars integer NOT NULL,
        PRIMARY KEY (document_id, page)
      );
      ALTER TABLE documents ADD COLUMN pages_ocr integer, ADD COLUMN pages_without_text integer, ADD COLUMN ocr_pages integer NOT NULL DEFAULT 0;
      ALTER TABLE chunk_texts ADD COLUMN text_source text;
    `,
  },
  {
    version: 8,
    name: 'jobs.sealed_credentials',
    // A job's object-store credentials, sealed (src/shared/jobs/credential-sealer.ts) instead of in
    // jobs.spec. Rows stored before move here when an API with the key starts (sealStoredCredentials).
    sql: `ALTER TABLE jobs ADD COLUMN sealed_credentials text;`,
  },
];
export async function migrate(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext(current_schema() || ':sluice-migrations'))`);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => r.version));
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        // On this connection: the session's advisory lock is held across the migrations.
        await inTransaction(client, async (c) => {
          await c.query(m.sql);
          await c.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        });
        applied.push(m.version);
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext(current_schema() || ':sluice-migrations'))`);
    }
  } finally {
    client.release();
  }
  return applied;
}
