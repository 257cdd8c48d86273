// A worker's claim on a document: every state change a worker makes is fenced by its claim
// (worker id + attempt), so a worker that lost its claim cannot overwrite a newer outcome.
import type { ErrorType } from '../errors.ts';
import type { DocumentRow } from './document-row.ts';
import type { Queryable } from './queryable.ts';

export interface Claim {
  doc: DocumentRow;
  workerId: string;
  attempt: number;
}

/** Takes a queued document, or one whose worker stopped heartbeating. */
export async function claimDocument(db: Queryable, id: string, workerId: string, staleSeconds: number): Promise<Claim | undefined> {
  // SKIP LOCKED: a row locked by a delete in progress is not claimed, rather than waited for
  // (a worker slot held for as long as Chroma takes to delete).
  const r = await db.query<DocumentRow>(
    `UPDATE documents SET state = 'processing', stage = 'parsing', worker_id = $2, attempts = attempts + 1, heartbeat_at = now(), ocr_pages = 0,
       started_at = coalesce(started_at, now()), updated_at = now()
     WHERE id = (SELECT id FROM documents WHERE id = $1
                   AND (state = 'queued' OR (state = 'processing' AND heartbeat_at < now() - make_interval(secs => $3)))
                 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [id, workerId, staleSeconds],
  );
  const doc = r.rows[0];
  return doc ? { doc, workerId, attempt: doc.attempts } : undefined;
}

const FENCE = `id = $1 AND worker_id = $2 AND attempts = $3 AND state = 'processing'`;

/** Refreshes the claim's heartbeat; false means the claim was lost (swept or deleted). */
export async function touchClaim(db: Queryable, c: Claim, stage?: string): Promise<boolean> {
  const r = await db.query(`UPDATE documents SET heartbeat_at = now(), stage = coalesce($4, stage) WHERE ${FENCE}`, [c.doc.id, c.workerId, c.attempt, stage ?? null]);
  return (r.rowCount ?? 0) > 0;
}

/** Records, under the claim, that chunks of this document are about to be written to Chroma. */
export async function markMayHaveChunks(db: Queryable, c: Claim): Promise<boolean> {
  const r = await db.query(`UPDATE documents SET may_have_chunks = true, heartbeat_at = now(), stage = 'store' WHERE ${FENCE}`, [c.doc.id, c.workerId, c.attempt]);
  return (r.rowCount ?? 0) > 0;
}

/** What a succeeded document's pages held: recognised by OCR, and left without text. */
export interface PageCounts {
  ocr: number;
  withoutText: number;
}

/** Succeeded, with its chunks (and so its lexical index) written. */
export async function completeClaim(db: Queryable, c: Claim, pages: number, chunks: number, counts: PageCounts = { ocr: 0, withoutText: 0 }): Promise<boolean> {
  const r = await db.query(
    `UPDATE documents SET state = 'succeeded', stage = 'done', pages = $4, chunks = $5, pages_ocr = $6, pages_without_text = $7, ocr_pages = 0,
       error_type = NULL, error_message = NULL, lexical_indexed = true, finished_at = now(), updated_at = now(), heartbeat_at = NULL WHERE ${FENCE}`,
    [c.doc.id, c.workerId, c.attempt, pages, chunks, counts.ocr, counts.withoutText],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function failClaim(db: Queryable, c: Claim, type: ErrorType, message: string): Promise<boolean> {
  const r = await db.query(
    `UPDATE documents SET state = 'failed', stage = 'done', error_type = $4, error_message = $5,
       finished_at = now(), updated_at = now(), heartbeat_at = NULL WHERE ${FENCE}`,
    [c.doc.id, c.workerId, c.attempt, type, message.slice(0, 2000)],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Ends a document without ingesting it: a duplicate, or a failure the job's policy ignores. */
export async function skipClaim(db: Queryable, c: Claim, type: ErrorType | null, message: string): Promise<boolean> {
  const r = await db.query(
    `UPDATE documents SET state = 'skipped', stage = 'done', error_type = $4, error_message = $5,
       finished_at = now(), updated_at = now(), heartbeat_at = NULL WHERE ${FENCE}`,
    [c.doc.id, c.workerId, c.attempt, type, message.slice(0, 2000)],
  );
  return (r.rowCount ?? 0) > 0;
}

export type ContentHashResult = { kind: 'set' } | { kind: 'lost' } | { kind: 'duplicate'; existing: DocumentRow };

/** Records the content hash of fetched bytes under the claim; reports a same-content document. */
export async function setContentHash(db: Queryable, c: Claim, sha256: string, size: number): Promise<ContentHashResult> {
  try {
    const r = await db.query(`UPDATE documents SET sha256 = $4, size_bytes = $5, updated_at = now() WHERE ${FENCE}`, [c.doc.id, c.workerId, c.attempt, sha256, size]);
    return (r.rowCount ?? 0) > 0 ? { kind: 'set' } : { kind: 'lost' };
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    const existing = (await db.query<DocumentRow>('SELECT * FROM documents WHERE collection = $1 AND sha256 = $2', [c.doc.collection, sha256])).rows[0];
    if (!existing) throw new Error('a same-content document vanished while deduplicating; retry', { cause: err });
    return { kind: 'duplicate', existing };
  }
}

/** Back to the queue after a transient error; the attempt stays counted. */
export async function retryClaim(db: Queryable, c: Claim, type: ErrorType, message: string, delayMs: number): Promise<boolean> {
  const r = await db.query(
    `UPDATE documents SET state = 'queued', stage = 'retrying', error_type = $4, error_message = $5, worker_id = NULL, heartbeat_at = NULL,
       next_attempt_at = now() + make_interval(secs => $6), updated_at = now() WHERE ${FENCE}`,
    [c.doc.id, c.workerId, c.attempt, type, message.slice(0, 2000), delayMs / 1000],
  );
  return (r.rowCount ?? 0) > 0;
}

/** A stopping worker gives a document back without spending one of its attempts. */
export async function handBackClaim(db: Queryable, c: Claim): Promise<boolean> {
  const r = await db.query(
    `UPDATE documents SET state = 'queued', stage = 'queued', attempts = attempts - 1, worker_id = NULL, heartbeat_at = NULL,
       next_attempt_at = now(), updated_at = now() WHERE ${FENCE}`,
    [c.doc.id, c.workerId, c.attempt],
  );
  return (r.rowCount ?? 0) > 0;
}
