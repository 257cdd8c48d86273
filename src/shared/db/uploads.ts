// An upload's life before it is a document: its row in state `uploading`, refreshed while bytes
// arrive, then finalized into a queued document (or reported as a duplicate of one).
import type pg from 'pg';
import type { DocumentRow } from './document-row.ts';
import type { Queryable } from './queryable.ts';

export async function createUploading(
  db: Queryable,
  d: { id: string; collection: string; filename: string | null; metadata: Record<string, unknown>; job: string | null; apiKey: string | null; idempotencyKey: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO documents (id, collection, filename, metadata, job, api_key, idempotency_key, state, stage)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'uploading', 'upload')`,
    [d.id, d.collection, d.filename, JSON.stringify(d.metadata), d.job, d.apiKey, d.idempotencyKey],
  );
}

/**
 * While bytes of an upload arrive, the API refreshes its row's `updated_at` at least this often;
 * a live upload, however slow, is therefore never older than this (plus a database round trip).
 */
export const UPLOAD_HEARTBEAT_SECONDS = 5;
/**
 * An `uploading` row not refreshed for this long has lost its API process (or its client sent
 * nothing for that long): the sweeper removes it with its parts, and the API answers 408 if
 * bytes of it arrive after all.
 */
export const UPLOAD_ABANDONED_SECONDS = 300;

/** The upload's heartbeat; false when its row is gone (swept as abandoned, or deleted). */
export async function touchUpload(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query(`UPDATE documents SET updated_at = now() WHERE id = $1 AND state = 'uploading'`, [id]);
  return (r.rowCount ?? 0) > 0;
}

/** Removes an upload that did not finish, with its parts; never a document that was finalized. */
export async function deleteUpload(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query(`DELETE FROM documents WHERE id = $1 AND state = 'uploading'`, [id]);
  return (r.rowCount ?? 0) > 0;
}

export type FinalizeResult = { kind: 'created'; doc: DocumentRow } | { kind: 'duplicate'; doc: DocumentRow };

/** Turns an upload into a queued document, or reports the existing one with the same content. */
export async function finalizeUpload(pool: pg.Pool, id: string, sha256: string, size: number): Promise<FinalizeResult> {
  try {
    const r = await pool.query<DocumentRow>(
      `UPDATE documents SET sha256 = $2, size_bytes = $3, state = 'queued', stage = 'queued', updated_at = now(), next_attempt_at = now()
       WHERE id = $1 AND state = 'uploading' RETURNING *`,
      [id, sha256, size],
    );
    const doc = r.rows[0];
    if (!doc) throw new Error(`upload ${id} vanished before it was finalized`);
    return { kind: 'created', doc };
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    const mine = await pool.query<{ collection: string }>('DELETE FROM documents WHERE id = $1 RETURNING collection', [id]);
    const collection = mine.rows[0]?.collection;
    const existing = await pool.query<DocumentRow>('SELECT * FROM documents WHERE collection = $1 AND sha256 = $2', [collection, sha256]);
    const doc = existing.rows[0];
    if (!doc) throw new Error('duplicate upload raced with a delete; retry', { cause: err });
    return { kind: 'duplicate', doc };
  }
}
