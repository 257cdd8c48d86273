// Documents ingested before their chunks were kept in PostgreSQL for lexical search (migration 6),
// or by a worker of an older version: succeeded, and not yet lexical_indexed.
import type { Queryable } from './queryable.ts';

export interface BacklogDocument {
  id: string;
  collection: string;
}

/**
 * A batch of the backlog, locked for the caller's transaction: a delete, reindex or claim of one
 * of them waits (or skips it) until the caller has written its chunks.
 */
export async function takeBacklog(db: Queryable, limit: number): Promise<BacklogDocument[]> {
  const { rows } = await db.query<BacklogDocument>(
    `SELECT id, collection FROM documents WHERE NOT lexical_indexed AND state = 'succeeded' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

/** The chunk texts PostgreSQL already has of these documents (storeText off), keyed `<document>:<index>`. */
export async function existingTexts(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await db.query<{ document_id: string; chunk_index: number; text: string }>(
    'SELECT document_id, chunk_index, text FROM chunk_texts WHERE document_id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [`${r.document_id}:${r.chunk_index}`, r.text]));
}

export async function markLexicalIndexed(db: Queryable, ids: readonly string[]): Promise<void> {
  await db.query('UPDATE documents SET lexical_indexed = true WHERE id = ANY($1::uuid[])', [ids]);
}

export async function backlogSize(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM documents WHERE NOT lexical_indexed AND state = 'succeeded'`);
  return rows[0]?.n ?? 0;
}
