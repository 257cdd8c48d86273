// The dispatcher's reads and writes, all on the client that holds its transaction-scoped
// advisory lock (src/worker/dispatcher.ts).
import type pg from 'pg';
import { type JobRow, setFailureTarget } from './jobs.ts';

export type ActiveJob = JobRow & { expanded: boolean };

/**
 * Jobs not yet finished (or being deleted), their rows share-locked until the tick commits: a
 * PUT or a failure that changes one waits for the tick, then undoes what it queued (stopStarting).
 */
export async function activeJobs(c: pg.PoolClient): Promise<ActiveJob[]> {
  const r = await c.query<ActiveJob>(
    `SELECT j.*, EXISTS (SELECT 1 FROM job_sources s WHERE s.job = j.id AND s.source = j.source_kind AND s.spec_hash = j.spec_hash AND s.done) AS expanded
     FROM jobs j WHERE j.state NOT IN ('Complete', 'Failed') AND NOT j.deleting ORDER BY j.id FOR SHARE OF j`,
  );
  return r.rows;
}

/** activeDeadlineSeconds counts from the job's start; past it the job must fail. */
export async function applyDeadlines(c: pg.PoolClient): Promise<string[]> {
  const r = await c.query<{ id: string; secs: string }>(
    `SELECT id, spec->>'activeDeadlineSeconds' AS secs FROM jobs
     WHERE failure_reason IS NULL AND NOT deleting AND state NOT IN ('Complete', 'Failed') AND started_at IS NOT NULL
       AND spec ? 'activeDeadlineSeconds' AND started_at + make_interval(secs => (spec->>'activeDeadlineSeconds')::float8) < now()`,
  );
  for (const j of r.rows) {
    await setFailureTarget(c, j.id, { reason: 'DeadlineExceeded', message: `the job ran longer than activeDeadlineSeconds (${j.secs} s)` });
  }
  return r.rows.map((j) => j.id);
}

export interface Taken {
  id: string;
  attempts: number;
  delayMs: number;
}

/** Up to `n` pending documents of a job, oldest first, to `queued`. A retry's wait is kept. */
export async function takePending(c: pg.PoolClient, jobId: string, n: number): Promise<Taken[]> {
  const r = await c.query<{ id: string; attempts: number; delay_ms: number }>(
    `UPDATE documents SET state = 'queued', stage = 'queued', updated_at = now(), next_attempt_at = greatest(coalesce(next_attempt_at, now()), now())
     WHERE id IN (SELECT id FROM documents WHERE job = $1 AND state = 'pending' ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING id, attempts, (extract(epoch FROM next_attempt_at - now()) * 1000)::int AS delay_ms`,
    [jobId, n],
  );
  await c.query('UPDATE jobs SET last_dispatched_at = now() WHERE id = $1', [jobId]);
  return r.rows.map((x) => ({ id: x.id, attempts: x.attempts, delayMs: Math.max(0, x.delay_ms) }));
}

export async function writeSettled(c: pg.PoolClient, id: string, s: { state: string; reason: string | null; message: string | null }): Promise<void> {
  await c.query(
    `UPDATE jobs SET state = $2, reason = $3, message = $4, updated_at = now(),
       started_at = CASE WHEN $2 = 'Running' THEN coalesce(started_at, now()) ELSE started_at END,
       completed_at = CASE WHEN $2 IN ('Complete', 'Failed') THEN coalesce(completed_at, now()) ELSE NULL END,
       pruned_at = CASE WHEN $2 IN ('Complete', 'Failed') THEN pruned_at ELSE NULL END
     WHERE id = $1`,
    [id, s.state, s.reason, s.message],
  );
}

/**
 * ttlSecondsAfterFinished: the stored PDF bytes of a finished job's documents go (records and
 * chunks stay), a batch per tick so that a huge job does not hold the lock for long.
 */
export async function pruneFinished(c: pg.PoolClient, batch = 500): Promise<number> {
  const due = await c.query<{ id: string }>(
    `SELECT id FROM jobs WHERE state IN ('Complete', 'Failed') AND pruned_at IS NULL AND spec ? 'ttlSecondsAfterFinished'
       AND completed_at + make_interval(secs => (spec->>'ttlSecondsAfterFinished')::float8) <= now() LIMIT 10`,
  );
  let pruned = 0;
  for (const { id } of due.rows) {
    const r = await c.query(
      `DELETE FROM document_parts WHERE document_id IN (
         SELECT d.id FROM documents d WHERE d.job = $1 AND d.state IN ('succeeded', 'failed', 'skipped')
           AND EXISTS (SELECT 1 FROM document_parts p WHERE p.document_id = d.id) LIMIT $2)`,
      [id, batch],
    );
    pruned += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) === 0) await c.query('UPDATE jobs SET pruned_at = now() WHERE id = $1', [id]);
  }
  return pruned;
}
