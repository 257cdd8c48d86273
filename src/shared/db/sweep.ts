// The sweeper's query: work nobody is doing, found in PostgreSQL.
import type pg from 'pg';
import { UPLOAD_ABANDONED_SECONDS } from './uploads.ts';

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
