// Every read and write of a job's record (docs/jobs.md). A job's documents live in `documents`
// (job = the job's id); this file owns the `jobs` and `job_sources` tables and the few updates
// of documents that are about a whole job.
import type pg from 'pg';
import { budgetExceeded, type FailureTarget } from '../jobs/failure-policy.ts';
import type { JobSpec, JobState, SourceKind } from '../jobs/job-spec.ts';
import type { StateCounts } from '../jobs/settle.ts';
import { rollback, withTransaction } from './transaction.ts';
import { countsByJob } from './job-progress.ts';
import type { Queryable } from './queryable.ts';

export interface JobRow {
  id: string;
  collection: string;
  source_kind: SourceKind;
  /** Without credentials: those are in sealed_credentials. */
  spec: JobSpec;
  spec_hash: string;
  sealed_credentials: string | null;
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

/** A spec as stored: its credentials taken out and sealed (job-credentials.ts). */
export interface StoredSpec {
  spec: JobSpec;
  sealed: string | null;
}

export async function insertJob(db: Queryable, id: string, stored: StoredSpec, hash: string, kind: SourceKind): Promise<JobRow | undefined> {
  const { spec, sealed } = stored;
  const r = await db.query<JobRow>(
    `INSERT INTO jobs (id, collection, source_kind, spec, spec_hash, retry_nonce, sealed_credentials) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO NOTHING RETURNING *`,
    [id, spec.collection, kind, JSON.stringify(spec), hash, spec.retryNonce ?? null, sealed],
  );
  return r.rows[0];
}

/** A new spec for an existing job; a finished job with a changed spec looks at its sources again. */
export async function updateJobSpec(db: Queryable, id: string, stored: StoredSpec, hash: string): Promise<JobRow> {
  const r = await db.query<JobRow>(
    `UPDATE jobs SET spec = $2, spec_hash = $3, sealed_credentials = $4, updated_at = now(),
       state = CASE WHEN state = 'Complete' AND spec_hash <> $3 THEN 'Running' ELSE state END,
       completed_at = CASE WHEN state = 'Complete' AND spec_hash <> $3 THEN NULL ELSE completed_at END
     WHERE id = $1 RETURNING *`,
    [id, JSON.stringify(stored.spec), hash, stored.sealed],
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

export type PutOutcome = { kind: 'created' | 'updated'; job: JobRow } | { kind: 'immutable'; field: string; was: string } | { kind: 'deleting' };

/** Creates a job or applies a new spec to it, in one transaction on the job's row. */
export async function putJob(pool: pg.Pool, id: string, stored: StoredSpec, hash: string, kind: SourceKind): Promise<PutOutcome> {
  const { spec } = stored;
  return withTransaction<PutOutcome>(pool, async (client) => {
    let row = await getJob(client, id, 'FOR UPDATE');
    if (!row) {
      const created = await insertJob(client, id, stored, hash, kind);
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
    await updateJobSpec(client, id, stored, hash);
    if (spec.suspend) await stopStarting(client, id);
    if (spec.retryNonce !== undefined && spec.retryNonce !== row.retry_nonce) await requeueFailed(client, id, spec.retryNonce);
    const job = (await getJob(client, id))!;
    return { kind: 'updated', job };
  });
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
