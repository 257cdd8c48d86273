// The IngestionJob work that waits for a worker before BullMQ sees it: a job's documents are
// dispatched by the workers themselves, so with no worker running, a job would never show in the
// queue, and with one, only what that worker may take. The autoscalers count this too.
import type pg from 'pg';

export interface JobDemand {
  /** Pending job documents that could start now: per job, up to its parallelism minus its in-flight ones. */
  pending: number;
  /** Running jobs whose source list is still being read (each needs a worker to read it). */
  expanding: number;
}

export async function readJobDemand(pool: pg.Pool): Promise<JobDemand> {
  const r = await pool.query<{ pending: string; expanding: string }>(
    `SELECT coalesce(sum(greatest(0, least((j.spec->>'parallelism')::int, d.pending + d.in_flight) - d.in_flight)), 0) AS pending,
            count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM job_sources s WHERE s.job = j.id AND s.source = j.source_kind AND s.spec_hash = j.spec_hash AND s.done)) AS expanding
     FROM jobs j
     CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE state = 'pending') AS pending, count(*) FILTER (WHERE state IN ('queued', 'processing')) AS in_flight
       FROM documents WHERE job = j.id AND state IN ('pending', 'queued', 'processing')
     ) d
     WHERE j.state NOT IN ('Complete', 'Failed') AND NOT j.deleting AND j.failure_reason IS NULL
       AND NOT coalesce((j.spec->>'suspend')::boolean, false)`,
  );
  const row = r.rows[0];
  return { pending: Number(row?.pending ?? 0), expanding: Number(row?.expanding ?? 0) };
}

/** Pages the workers are recognising now (OCR), over every document in flight. */
export async function readOcrPages(pool: pg.Pool): Promise<number> {
  const r = await pool.query<{ n: string }>(`SELECT coalesce(sum(ocr_pages), 0) AS n FROM documents WHERE state = 'processing' AND ocr_pages > 0`);
  return Number(r.rows[0]?.n ?? 0);
}
