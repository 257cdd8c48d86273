// Every read and write of a document's record. PostgreSQL is the source of truth: the queue only
// says "look at document X", and every state change a worker makes is fenced by its claim
// (worker id + attempt), so a worker that lost its claim cannot overwrite a newer outcome.
import type pg from 'pg';
import type { ErrorType } from '../errors.ts';
import { rollback, withTransaction } from './transaction.ts';

// `pending`: a job's document not yet dispatched; `skipped`: a duplicate or an ignored failure.
export type DocumentState = 'uploading' | 'pending' | 'queued' | 'processing' | 'succeeded' | 'failed' | 'skipped';

export interface DocumentRow {
  id: string;
  collection: string;
  sha256: string | null;
  filename: string | null;
  size_bytes: string | null;
  metadata: Record<string, unknown>;
  job: string | null;
  api_key: string | null;
  idempotency_key: string | null;
  state: DocumentState;
  stage: string | null;
  attempts: number;
  pages: number | null;
  chunks: number | null;
  error_type: ErrorType | null;
  error_message: string | null;
  worker_id: string | null;
  heartbeat_at: Date | null;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  may_have_chunks: boolean;
  /** Where a job's document is fetched from; null for uploads. */
  source_uri: string | null;
  source_key: string | null;
}

export interface DocumentView {
  id: string;
  collection: string;
  sha256: string | null;
  filename: string | null;
  sizeBytes: number | null;
  metadata: Record<string, unknown>;
  job: string | null;
  source: string | null;
  state: DocumentState;
  stage: string | null;
  attempts: number;
  pages: number | null;
  chunks: number | null;
  error: { type: ErrorType; message: string } | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function toView(r: DocumentRow): DocumentView {
  return {
    id: r.id,
    collection: r.collection,
    sha256: r.sha256,
    filename: r.filename,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    metadata: r.metadata,
    job: r.job,
    source: r.source_uri,
    state: r.state,
    stage: r.stage,
    attempts: r.attempts,
    pages: r.pages,
    chunks: r.chunks,
    error: r.error_type ? { type: r.error_type, message: r.error_message ?? '' } : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

type Q = pg.Pool | pg.PoolClient;

export async function createUploading(
  db: Q,
  d: { id: string; collection: string; filename: string | null; metadata: Record<string, unknown>; job: string | null; apiKey: string | null; idempotencyKey: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO documents (id, collection, filename, metadata, job, api_key, idempotency_key, state, stage)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'uploading', 'upload')`,
    [d.id, d.collection, d.filename, JSON.stringify(d.metadata), d.job, d.apiKey, d.idempotencyKey],
  );
}

export async function appendPart(db: Q, id: string, seq: number, data: Buffer): Promise<void> {
  await db.query('INSERT INTO document_parts (document_id, seq, data) VALUES ($1, $2, $3)', [id, seq, data]);
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
export async function touchUpload(db: Q, id: string): Promise<boolean> {
  const r = await db.query(`UPDATE documents SET updated_at = now() WHERE id = $1 AND state = 'uploading'`, [id]);
  return (r.rowCount ?? 0) > 0;
}

/** Removes an upload that did not finish, with its parts; never a document that was finalized. */
export async function deleteUpload(db: Q, id: string): Promise<boolean> {
  const r = await db.query(`DELETE FROM documents WHERE id = $1 AND state = 'uploading'`, [id]);
  return (r.rowCount ?? 0) > 0;
}

export type DeleteOutcome = 'deleted' | 'missing' | 'processing';

/**
 * Deletes a document that no worker holds, running `removeChunks` first under a lock on its row:
 * a worker that tries to claim it meanwhile skips it (see claimDocument), so it cannot write
 * chunks that the delete has already cleaned away. If `removeChunks` fails, nothing is deleted
 * (and the sweeper queues the document again if it was waiting).
 */
export async function deleteDocument(pool: pg.Pool, id: string, removeChunks: (doc: DocumentRow) => Promise<void>): Promise<DeleteOutcome> {
  return withTransaction<DeleteOutcome>(pool, async (client) => {
    const doc = (await client.query<DocumentRow>('SELECT * FROM documents WHERE id = $1 FOR UPDATE', [id])).rows[0];
    if (!doc || doc.state === 'processing') return rollback(doc ? 'processing' : 'missing');
    await removeChunks(doc);
    await client.query('DELETE FROM documents WHERE id = $1', [id]);
    return 'deleted';
  });
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

export async function findByIdempotencyKey(db: Q, apiKey: string, key: string): Promise<DocumentRow | undefined> {
  const r = await db.query<DocumentRow>(`SELECT * FROM documents WHERE api_key = $1 AND idempotency_key = $2 AND state <> 'uploading'`, [apiKey, key]);
  return r.rows[0];
}

export async function getDocument(db: Q, id: string): Promise<DocumentRow | undefined> {
  const r = await db.query<DocumentRow>('SELECT * FROM documents WHERE id = $1', [id]);
  return r.rows[0];
}

export interface ListFilter {
  collections: readonly string[] | null;
  collection?: string | undefined;
  state?: DocumentState | undefined;
  job?: string | undefined;
  limit: number;
  after?: { createdAt: string; id: string } | undefined;
}

export async function listDocuments(db: Q, f: ListFilter): Promise<DocumentRow[]> {
  const where: string[] = [`state <> 'uploading'`];
  const args: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    args.push(v);
    where.push(sql.replace('?', `$${args.length}`));
  };
  if (f.collections) add('collection = ANY(?)', f.collections);
  if (f.collection) add('collection = ?', f.collection);
  if (f.state) add('state = ?', f.state);
  if (f.job) add('job = ?', f.job);
  if (f.after) {
    args.push(f.after.createdAt, f.after.id);
    // The cursor carries milliseconds (a JS Date); compare at that precision.
    where.push(`(date_trunc('milliseconds', created_at), id) > ($${args.length - 1}::timestamptz, $${args.length}::uuid)`);
  }
  args.push(f.limit);
  const r = await db.query<DocumentRow>(`SELECT * FROM documents WHERE ${where.join(' AND ')} ORDER BY date_trunc('milliseconds', created_at), id LIMIT $${args.length}`, args);
  return r.rows;
}

/** Puts a finished document back in the queue, attempts reset. Refuses one that is in flight. */
export async function requestReindex(db: Q, id: string): Promise<DocumentRow | undefined> {
  const r = await db.query<DocumentRow>(
    `UPDATE documents SET state = 'queued', stage = 'queued', attempts = 0, error_type = NULL, error_message = NULL, worker_id = NULL,
       pages = NULL, chunks = NULL, finished_at = NULL, started_at = NULL, next_attempt_at = now(), updated_at = now()
     WHERE id = $1 AND state IN ('succeeded', 'failed') RETURNING *`,
    [id],
  );
  return r.rows[0];
}

export interface Claim {
  doc: DocumentRow;
  workerId: string;
  attempt: number;
}

/** Takes a queued document, or one whose worker stopped heartbeating. */
export async function claimDocument(db: Q, id: string, workerId: string, staleSeconds: number): Promise<Claim | undefined> {
  // SKIP LOCKED: a row locked by a delete in progress is not claimed, rather than waited for
  // (a worker slot held for as long as Chroma takes to delete).
  const r = await db.query<DocumentRow>(
    `UPDATE documents SET state = 'processing', stage = 'parsing', worker_id = $2, attempts = attempts + 1, heartbeat_at = now(),
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
export async function touchClaim(db: Q, c: Claim, stage?: string): Promise<boolean> {
  const r = await db.query(`UPDATE documents SET heartbeat_at = now(), stage = coalesce($4, stage) WHERE ${FENCE}`, [c.doc.id, c.workerId, c.attempt, stage ?? null]);
  return (r.rowCount ?? 0) > 0;
}

/** Records, under the claim, that chunks of this document are about to be written to Chroma. */
export async function markMayHaveChunks(db: Q, c: Claim): Promise<boolean> {
  const r = await db.query(`UPDATE documents SET may_have_chunks = true, heartbeat_at = now(), stage = 'store' WHERE ${FENCE}`, [c.doc.id, c.workerId, c.attempt]);
  return (r.rowCount ?? 0) > 0;
}

const LOAD_BATCH_PARTS = 8;

/**
 * A few parts per query: PostgreSQL sends bytea as hex text, and one query for a whole 90 MB
 * document held that text (twice the size) beside the parts at once.
 */
export async function loadBytes(db: Q, id: string): Promise<Buffer> {
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

export async function completeClaim(db: Q, c: Claim, pages: number, chunks: number): Promise<boolean> {
  const r = await db.query(
    `UPDATE documents SET state = 'succeeded', stage = 'done', pages = $4, chunks = $5, error_type = NULL, error_message = NULL,
       finished_at = now(), updated_at = now(), heartbeat_at = NULL WHERE ${FENCE}`,
    [c.doc.id, c.workerId, c.attempt, pages, chunks],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function failClaim(db: Q, c: Claim, type: ErrorType, message: string): Promise<boolean> {
  const r = await db.query(
    `UPDATE documents SET state = 'failed', stage = 'done', error_type = $4, error_message = $5,
       finished_at = now(), updated_at = now(), heartbeat_at = NULL WHERE ${FENCE}`,
    [c.doc.id, c.workerId, c.attempt, type, message.slice(0, 2000)],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Ends a document without ingesting it: a duplicate, or a failure the job's policy ignores. */
export async function skipClaim(db: Q, c: Claim, type: ErrorType | null, message: string): Promise<boolean> {
  const r = await db.query(
    `UPDATE documents SET state = 'skipped', stage = 'done', error_type = $4, error_message = $5,
       finished_at = now(), updated_at = now(), heartbeat_at = NULL WHERE ${FENCE}`,
    [c.doc.id, c.workerId, c.attempt, type, message.slice(0, 2000)],
  );
  return (r.rowCount ?? 0) > 0;
}

export type ContentHashResult = { kind: 'set' } | { kind: 'lost' } | { kind: 'duplicate'; existing: DocumentRow };

/** Records the content hash of fetched bytes under the claim; reports a same-content document. */
export async function setContentHash(db: Q, c: Claim, sha256: string, size: number): Promise<ContentHashResult> {
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

export async function hasBytes(db: Q, id: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM document_parts WHERE document_id = $1 LIMIT 1', [id]);
  return (r.rowCount ?? 0) > 0;
}

export async function deleteParts(db: Q, id: string): Promise<void> {
  await db.query('DELETE FROM document_parts WHERE document_id = $1', [id]);
}

/** Back to the queue after a transient error; the attempt stays counted. */
export async function retryClaim(db: Q, c: Claim, type: ErrorType, message: string, delayMs: number): Promise<boolean> {
  const r = await db.query(
    `UPDATE documents SET state = 'queued', stage = 'retrying', error_type = $4, error_message = $5, worker_id = NULL, heartbeat_at = NULL,
       next_attempt_at = now() + make_interval(secs => $6), updated_at = now() WHERE ${FENCE}`,
    [c.doc.id, c.workerId, c.attempt, type, message.slice(0, 2000), delayMs / 1000],
  );
  return (r.rowCount ?? 0) > 0;
}

/** A stopping worker gives a document back without spending one of its attempts. */
export async function handBackClaim(db: Q, c: Claim): Promise<boolean> {
  const r = await db.query(
    `UPDATE documents SET state = 'queued', stage = 'queued', attempts = attempts - 1, worker_id = NULL, heartbeat_at = NULL,
       next_attempt_at = now(), updated_at = now() WHERE ${FENCE}`,
    [c.doc.id, c.workerId, c.attempt],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function ensureCollection(db: Q, name: string, model: string, dimensions: number): Promise<{ model: string; dimensions: number }> {
  await db.query('INSERT INTO collections (name, model, dimensions) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [name, model, dimensions]);
  const r = await db.query<{ model: string; dimensions: number }>('SELECT model, dimensions FROM collections WHERE name = $1', [name]);
  const row = r.rows[0];
  if (!row) throw new Error(`collection ${name} vanished`);
  return row;
}

/** Documents accepted and not yet started: the backlog that backpressure is about. */
export async function countQueued(db: Q): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM documents WHERE state = 'queued'`);
  return r.rows[0]?.n ?? 0;
}

export async function getCollection(db: Q, name: string): Promise<{ model: string; dimensions: number } | undefined> {
  const r = await db.query<{ model: string; dimensions: number }>('SELECT model, dimensions FROM collections WHERE name = $1', [name]);
  return r.rows[0];
}

export interface SweepResult {
  requeued: { id: string; attempts: number }[];
  exhausted: string[];
  abandonedUploads: number;
}

/**
 * Finds work that nobody is doing: documents whose worker stopped heartbeating go back to
 * `queued` (or fail once their attempts are spent), and queued documents that have waited past
 * their time are returned so the caller can (idempotently) put them on the queue again. Uploads
 * whose heartbeat stopped UPLOAD_ABANDONED_SECONDS ago are removed, however long ago they began.
 */
export async function sweep(db: pg.Pool, staleSeconds: number, maxAttempts: number, limit = 1000): Promise<SweepResult> {
  const exhausted = await db.query<{ id: string }>(
    `UPDATE documents SET state = 'failed', stage = 'done', error_type = 'Unknown',
       error_message = 'the worker processing this document stopped ' || attempts || ' times', finished_at = now(), updated_at = now(), heartbeat_at = NULL
     WHERE state = 'processing' AND heartbeat_at < now() - make_interval(secs => $1) AND attempts >= $2 RETURNING id`,
    [staleSeconds, maxAttempts],
  );
  await db.query(
    `UPDATE documents SET state = 'queued', stage = 'queued', worker_id = NULL, heartbeat_at = NULL, next_attempt_at = now(), updated_at = now()
     WHERE state = 'processing' AND heartbeat_at < now() - make_interval(secs => $1)`,
    [staleSeconds],
  );
  const queued = await db.query<{ id: string; attempts: number }>(
    `SELECT id, attempts FROM documents WHERE state = 'queued' AND coalesce(next_attempt_at, updated_at) < now() - make_interval(secs => $1)
     ORDER BY next_attempt_at LIMIT $2`,
    [Math.max(1, Math.floor(staleSeconds / 3)), limit],
  );
  const abandoned = await db.query(`DELETE FROM documents WHERE state = 'uploading' AND updated_at < now() - make_interval(secs => $1)`, [UPLOAD_ABANDONED_SECONDS]);
  return { requeued: queued.rows, exhausted: exhausted.rows.map((r) => r.id), abandonedUploads: abandoned.rowCount ?? 0 };
}
