// What a job's documents say of its progress: counts by state, whether its source is fully
// expanded, pages and chunks done, the recent rate and the last failures (GET /v1/jobs/{id}).
import type { StateCounts } from '../jobs/settle.ts';
import type { JobRow } from './jobs.ts';
import type { Queryable } from './queryable.ts';

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
  /** Pages whose text OCR recognised. */
  pagesOcr: number;
  chunks: number;
  finishedLastMinute: number;
}

export async function jobStats(db: Queryable, id: string): Promise<JobStats> {
  const r = await db.query<{ pages: string | null; pages_ocr: string | null; chunks: string | null; recent: number }>(
    `SELECT sum(pages) FILTER (WHERE state = 'succeeded') AS pages, sum(pages_ocr) FILTER (WHERE state = 'succeeded') AS pages_ocr,
       sum(chunks) FILTER (WHERE state = 'succeeded') AS chunks,
       count(*) FILTER (WHERE state IN ('succeeded', 'failed', 'skipped') AND finished_at > now() - interval '1 minute')::int AS recent
     FROM documents WHERE job = $1`,
    [id],
  );
  const row = r.rows[0];
  return { pages: Number(row?.pages ?? 0), pagesOcr: Number(row?.pages_ocr ?? 0), chunks: Number(row?.chunks ?? 0), finishedLastMinute: row?.recent ?? 0 };
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
