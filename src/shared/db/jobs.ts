// Every read and write of a job's record (docs/jobs.md). A job's documents live in `documents`
// (job = the job's id); this file owns the `jobs` and `job_sources` tables and the few updates
// of documents that are about a whole job.
import type pg from 'pg';
import { budgetExceeded, type FailureTarget } from '../jobs/failure-policy.ts';
import type { JobSpec, JobState, SourceKind } from '../jobs/job-spec.ts';
import type { StateCounts } from '../jobs/settle.ts';
import { rollback, withTransaction } from './transaction.ts';
import type { Queryable } from './queryable.ts';

export interface JobRow {
  id: string;
  collection: string;
  source_kind: SourceKind;
  spec: JobSpec;
  spec_hash: string;
  state: JobState;
  reason: string | null;
  message: string | null;
  failure_reason: string | null;
  failure_message: string | null;
  retry_nonce: string | null;
  deleting: boolean;
  last_dispatched_at: Date | null;
  pruned_at: Date | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

export function failureOf(j: JobRow): FailureTarget | null {
  return j.failure_reason ? { reason: j.failure_reason, message: j.failure_message ?? '' } : null;
}

export async function getJob(db: Queryable, id: string, lock = ''): Promise<JobRow | undefined> {
  return (await db.query<JobRow>(`SELECT * FROM jobs WHERE id = $1 ${lock}`, [id])).rows[0];
}

export async function insertJob(db: Queryable, id: string, spec: JobSpec, hash: string, kind: SourceKind): Promise<JobRow | undefined> {
  const r = await db.query<JobRow>(
    `INSERT INTO jobs (id, collection, source_kind, spec, spec_hash, retry_nonce) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO NOTHING RETURNING *`,
    [id, spec.collection, kind, JSON.stringify(spec), hash, spec.retryNonce ?? null],
  );
  return r.rows[0];
}

/** A new spec for an existing job; a finished job with a changed spec looks at its sources again. */
export async function updateJobSpec(db: Queryable, id: string, spec: JobSpec, hash: string): Promise<JobRow> {
  const r = await db.query<JobRow>(
    `UPDATE jobs SET spec = $2, spec_hash = $3, updated_at = now(),
       state = CASE WHEN state = 'Complete' AND spec_hash <> $3 THEN 'Running' ELSE state END,
       completed_at = CASE WHEN state = 'Complete' AND spec_hash <> $3 THEN NULL ELSE completed_at END
     WHERE id = $1 RETURNING *`,
    [id, JSON.stringify(spec), hash],
  );
  return r.rows[0]!;
}

/**
 * Nothing of this job starts any more: its `queued` documents go back to `pending` (a worker
 * that already holds one finishes it). Callers change the job's row first, so a dispatcher
 * tick that locked the row before them is undone here, and one after them sees the change.
 */
export async function stopStarting(db: Queryable, jobId: string): Promise<number> {
  const r = await db.query(`UPDATE documents SET state = 'pending', stage = 'pending', updated_at = now() WHERE job = $1 AND state = 'queued'`, [jobId]);
  return r.rowCount ?? 0;
}

/** Sets the failure target once; the first reason wins. */
export async function setFailureTarget(db: Queryable, jobId: string, t: FailureTarget): Promise<boolean> {
  const r = await db.query(`UPDATE jobs SET failure_reason = $2, failure_message = $3, updated_at = now() WHERE id = $1 AND failure_reason IS NULL`, [
    jobId,
    t.reason,
    t.message.slice(0, 2000),
  ]);
  if ((r.rowCount ?? 0) === 0) return false;
  await stopStarting(db, jobId);
  return true;
}

const REVIVABLE = `('FailedDocumentsExceeded', 'FailJobRule')`;

/**
 * A new retryNonce: failed documents go back to `pending` with attempts reset. Fetched ones
 * lose their bytes and hash, so a source fixed since is fetched again.
 */
export async function requeueFailed(db: Queryable, jobId: string, nonce: string): Promise<number> {
  await db.query(`DELETE FROM document_parts WHERE document_id IN (SELECT id FROM documents WHERE job = $1 AND state = 'failed' AND source_uri IS NOT NULL)`, [jobId]);
  const r = await db.query(
    `UPDATE documents SET state = 'pending', stage = 'pending', attempts = 0, error_type = NULL, error_message = NULL, worker_id = NULL,
       sha256 = CASE WHEN source_uri IS NULL THEN sha256 END, size_bytes = CASE WHEN source_uri IS NULL THEN size_bytes END,
       pages = NULL, chunks = NULL, started_at = NULL, finished_at = NULL, next_attempt_at = NULL, updated_at = now()
     WHERE job = $1 AND state = 'failed'`,
    [jobId],
  );
  // A job that failed only because of its documents runs again; a deadline stays exceeded.
  // (Every expression of a SET reads the row as it was before the update.)
  await db.query(
    `UPDATE jobs SET retry_nonce = $2, updated_at = now(),
       state = CASE WHEN failure_reason IN ${REVIVABLE} OR (state = 'Complete' AND $3) THEN 'Running' ELSE state END,
       completed_at = CASE WHEN failure_reason IN ${REVIVABLE} OR (state = 'Complete' AND $3) THEN NULL ELSE completed_at END,
       failure_reason = CASE WHEN failure_reason IN ${REVIVABLE} THEN NULL ELSE failure_reason END,
       failure_message = CASE WHEN failure_reason IN ${REVIVABLE} THEN NULL ELSE failure_message END
     WHERE id = $1`,
    [jobId, nonce, (r.rowCount ?? 0) > 0],
  );
  return r.rowCount ?? 0;
}

const ZERO: StateCounts = { pending: 0, queued: 0, processing: 0, succeeded: 0, failed: 0, skipped: 0 };

/** Documents of each job by state. */
export async function countsByJob(db: Queryable, ids: readonly string[]): Promise<Map<string, StateCounts>> {
  const out = new Map<string, StateCounts>(ids.map((id) => [id, { ...ZERO }]));
  if (ids.length === 0) return out;
  const r = await db.query<{ job: string; state: keyof StateCounts; n: number }>(
    `SELECT job, state, count(*)::int AS n FROM documents WHERE job = ANY($1) AND state <> 'uploading' GROUP BY job, state`,
    [ids],
  );
  for (const row of r.rows) {
    const c = out.get(row.job);
    if (c && row.state in c) c[row.state] = row.n;
  }
  return out;
}

/** True when the job's source has been expanded completely for its current spec. */
export async function expansionDone(db: Queryable, job: Pick<JobRow, 'id' | 'source_kind' | 'spec_hash'>): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM job_sources WHERE job = $1 AND source = $2 AND spec_hash = $3 AND done', [job.id, job.source_kind, job.spec_hash]);
  return (r.rowCount ?? 0) > 0;
}

export interface JobStats {
  pages: number;
  chunks: number;
  finishedLastMinute: number;
}

export async function jobStats(db: Queryable, id: string): Promise<JobStats> {
  const r = await db.query<{ pages: string | null; chunks: string | null; recent: number }>(
    `SELECT sum(pages) FILTER (WHERE state = 'succeeded') AS pages, sum(chunks) FILTER (WHERE state = 'succeeded') AS chunks,
       count(*) FILTER (WHERE state IN ('succeeded', 'failed', 'skipped') AND finished_at > now() - interval '1 minute')::int AS recent
     FROM documents WHERE job = $1`,
    [id],
  );
  const row = r.rows[0];
  return { pages: Number(row?.pages ?? 0), chunks: Number(row?.chunks ?? 0), finishedLastMinute: row?.recent ?? 0 };
}

export interface FailureEntry {
  id: string;
  source_uri: string | null;
  error_type: string | null;
  error_message: string | null;
  attempts: number;
}

export async function lastFailures(db: Queryable, id: string, limit = 20): Promise<FailureEntry[]> {
  const r = await db.query<FailureEntry>(
    `SELECT id, source_uri, error_type, error_message, attempts FROM documents WHERE job = $1 AND state = 'failed' ORDER BY finished_at DESC NULLS LAST, id LIMIT $2`,
    [id, limit],
  );
  return r.rows;
}

export type PutOutcome = { kind: 'created' | 'updated'; job: JobRow } | { kind: 'immutable'; field: string; was: string } | { kind: 'deleting' };

/** Creates a job or applies a new spec to it, in one transaction on the job's row. */
export async function putJob(pool: pg.Pool, id: string, spec: JobSpec, hash: string, kind: SourceKind): Promise<PutOutcome> {
  return withTransaction<PutOutcome>(pool, async (client) => {
    let row = await getJob(client, id, 'FOR UPDATE');
    if (!row) {
      const created = await insertJob(client, id, spec, hash, kind);
      if (created) return { kind: 'created', job: created };
      row = await getJob(client, id, 'FOR UPDATE');
      if (!row) throw new Error(`job ${id} was created and deleted while being created; retry`);
    }
    const refused: PutOutcome | undefined = row.deleting
      ? { kind: 'deleting' }
      : row.collection !== spec.collection
        ? { kind: 'immutable', field: 'collection', was: row.collection }
        : row.source_kind !== kind
          ? { kind: 'immutable', field: 'sources', was: row.source_kind }
          : undefined;
    if (refused) return rollback(refused);
    await updateJobSpec(client, id, spec, hash);
    if (spec.suspend) await stopStarting(client, id);
    if (spec.retryNonce !== undefined && spec.retryNonce !== row.retry_nonce) await requeueFailed(client, id, spec.retryNonce);
    const job = (await getJob(client, id))!;
    return { kind: 'updated', job };
  });
}

/**
 * DELETE without purge: the job's record goes, and with it the documents that never started
 * (pending or queued: nothing was fetched or stored for them, or it is kept for a retry that will
 * not come). Documents being processed finish; finished ones and their chunks stay.
 */
export async function deleteJobKeepingDocuments(pool: pg.Pool, id: string): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const r = await client.query('DELETE FROM jobs WHERE id = $1', [id]);
    await client.query(`DELETE FROM documents WHERE job = $1 AND state IN ('pending', 'queued')`, [id]);
    return (r.rowCount ?? 0) > 0;
  });
}

export interface PurgeBatchDoc {
  id: string;
  collection: string;
  may_have_chunks: boolean;
}

/**
 * One step of DELETE with purge: the job is marked deleting (nothing starts), then documents no
 * worker holds are deleted in batches, `removeChunks` first under a lock on their rows (as
 * deleteDocument does), until `budgetMs` is spent. Returns the documents left; at 0 the job's
 * record is gone too.
 */
export async function purgeJobStep(pool: pg.Pool, id: string, removeChunks: (docs: PurgeBatchDoc[]) => Promise<void>, budgetMs: number): Promise<number> {
  await pool.query('UPDATE jobs SET deleting = true, updated_at = now() WHERE id = $1', [id]);
  await stopStarting(pool, id);
  const until = Date.now() + budgetMs;
  for (;;) {
    // A transaction per batch: each batch's rows are unlocked and gone once it commits.
    const n = await withTransaction(pool, async (client) => {
      const batch = await client.query<PurgeBatchDoc>(
        `SELECT id, collection, may_have_chunks FROM documents WHERE job = $1 AND state <> 'processing' LIMIT 200 FOR UPDATE SKIP LOCKED`,
        [id],
      );
      if (batch.rows.length > 0) {
        await removeChunks(batch.rows.filter((d) => d.may_have_chunks));
        await client.query('DELETE FROM documents WHERE id = ANY($1)', [batch.rows.map((d) => d.id)]);
      }
      return batch.rows.length;
    });
    if (n === 0 || Date.now() > until) break;
  }
  const left = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM documents WHERE job = $1', [id])).rows[0]?.n ?? 0;
  if (left === 0) await pool.query('DELETE FROM jobs WHERE id = $1 AND deleting', [id]);
  return left;
}

/** Sets the job's failure target when its failed documents are beyond its failure policy. */
export async function checkFailureBudget(db: Queryable, job: Pick<JobRow, 'id' | 'spec' | 'failure_reason'>, counts?: StateCounts): Promise<FailureTarget | null> {
  if (job.failure_reason) return null;
  const c = counts ?? (await countsByJob(db, [job.id])).get(job.id)!;
  const total = c.pending + c.queued + c.processing + c.succeeded + c.failed + c.skipped;
  const target = budgetExceeded(job.spec.failurePolicy, c.failed, total);
  if (target && (await setFailureTarget(db, job.id, target))) return target;
  return null;
}
