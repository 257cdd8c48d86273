// A collection's embedding model and dimensions and its text-search configuration.
import type { Queryable } from './queryable.ts';

export interface CollectionRow {
  model: string;
  dimensions: number;
  /** The text-search configuration its lexical index was built with. */
  textSearchConfig: string;
}

const COLUMNS = 'model, dimensions, text_search_config AS "textSearchConfig"';

/**
 * The collection as recorded, created with these settings if it is new. Its first document
 * fixes them: a cluster whose settings change later does not mix vectors or lexemes of two kinds.
 */
export async function ensureCollection(db: Queryable, name: string, model: string, dimensions: number, textSearchConfig = 'simple'): Promise<CollectionRow> {
  await db.query('INSERT INTO collections (name, model, dimensions, text_search_config) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING', [
    name,
    model,
    dimensions,
    textSearchConfig,
  ]);
  const r = await db.query<CollectionRow>(`SELECT ${COLUMNS} FROM collections WHERE name = $1`, [name]);
  const row = r.rows[0];
  if (!row) throw new Error(`collection ${name} vanished`);
  return row;
}

export async function getCollection(db: Queryable, name: string): Promise<CollectionRow | undefined> {
  const r = await db.query<CollectionRow>(`SELECT ${COLUMNS} FROM collections WHERE name = $1`, [name]);
  return r.rows[0];
}
