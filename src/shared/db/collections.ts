// A collection's embedding model and dimensions, fixed by its first document.
import type { Queryable } from './queryable.ts';

export async function ensureCollection(db: Queryable, name: string, model: string, dimensions: number): Promise<{ model: string; dimensions: number }> {
  await db.query('INSERT INTO collections (name, model, dimensions) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [name, model, dimensions]);
  const r = await db.query<{ model: string; dimensions: number }>('SELECT model, dimensions FROM collections WHERE name = $1', [name]);
  const row = r.rows[0];
  if (!row) throw new Error(`collection ${name} vanished`);
  return row;
}

export async function getCollection(db: Queryable, name: string): Promise<{ model: string; dimensions: number } | undefined> {
  const r = await db.query<{ model: string; dimensions: number }>('SELECT model, dimensions FROM collections WHERE name = $1', [name]);
  return r.rows[0];
}
