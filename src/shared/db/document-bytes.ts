// A document's bytes: its parts in document_parts, written by an upload or a fetch, read by the
// worker that parses it, and dropped once it has been ingested.
import type { Queryable } from './queryable.ts';

export async function appendPart(db: Queryable, id: string, seq: number, data: Buffer): Promise<void> {
  await db.query('INSERT INTO document_parts (document_id, seq, data) VALUES ($1, $2, $3)', [id, seq, data]);
}

const LOAD_BATCH_PARTS = 8;

/**
 * A few parts per query: PostgreSQL sends bytea as hex text, and one query for a whole 90 MB
 * document held that text (twice the size) beside the parts at once.
 */
export async function loadBytes(db: Queryable, id: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let after = -1; ; ) {
    const r = await db.query<{ seq: number; data: Buffer }>(
      'SELECT seq, data FROM document_parts WHERE document_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [id, after, LOAD_BATCH_PARTS],
    );
    for (const row of r.rows) parts.push(row.data);
    const last = r.rows.at(-1);
    if (!last || r.rows.length < LOAD_BATCH_PARTS) break;
    after = last.seq;
  }
  return Buffer.concat(parts);
}

export async function hasBytes(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM document_parts WHERE document_id = $1 LIMIT 1', [id]);
  return (r.rowCount ?? 0) > 0;
}

export async function deleteParts(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM document_parts WHERE document_id = $1', [id]);
}
