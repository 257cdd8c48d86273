// Versioned schema migrations. Any number of replicas may start at once: each takes the same
// advisory lock (scoped to the schema), applies what is missing in order, and releases it.
import type pg from 'pg';

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
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
          applied.push(m.version);
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext(current_schema() || ':sluice-migrations'))`);
    }
  } finally {
    client.release();
  }
  return applied;
}
