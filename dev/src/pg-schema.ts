// A throwaway PostgreSQL schema on the machine's server, so local stacks and tests never share
// tables; the data plane selects it through `search_path` in the connection URL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_BASE = process.env.SLUICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PgSchema {
  schema: string;
  url: string;
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_BASE });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function createSchema(prefix: string): Promise<PgSchema> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  return {
    schema,
    url: `${PG_BASE}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: () => adminQuery(`DROP SCHEMA ${schema} CASCADE`),
  };
}
