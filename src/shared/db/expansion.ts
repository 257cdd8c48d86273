// Expansion's reads and writes: which jobs still have source entries to turn into documents,
// and one page of them written with its cursor, atomically and only for the spec it was read for.
import type pg from 'pg';
import type { JobRow } from './jobs.ts';
import { rollback, withTransaction } from './transaction.ts';

export type ExpandableJob = JobRow & { cursor: string | null };

/** Jobs whose source is not expanded for their current spec (a changed spec starts over). */
export async function jobsToExpand(db: pg.Pool): Promise<ExpandableJob[]> {
  const r = await db.query<ExpandableJob>(
    `SELECT j.*, CASE WHEN s.spec_hash = j.spec_hash THEN s.cursor END AS cursor
     FROM jobs j LEFT JOIN job_sources s ON s.job = j.id AND s.source = j.source_kind
     WHERE NOT j.deleting AND j.failure_reason IS NULL AND j.state <> 'Failed' AND NOT (j.spec->>'suspend')::boolean
       AND NOT (s.spec_hash IS NOT DISTINCT FROM j.spec_hash AND s.done)
     ORDER BY j.last_dispatched_at NULLS FIRST, j.id`,
  );
  return r.rows;
}

export interface NewDocument {
  uri: string;
  key: string;
  filename: string;
  metadata: Record<string, unknown>;
}

/**
 * Inserts a page of documents (`pending`, no bytes; one per (job, source key), so a page read
 * twice adds nothing) and moves the cursor. False when the job's spec changed or the job went
 * meanwhile: the page is dropped and the next pass starts from the new spec's beginning.
 */
export async function savePage(pool: pg.Pool, job: Pick<JobRow, 'id' | 'collection' | 'source_kind'>, specHash: string, docs: readonly NewDocument[], next: string | null): Promise<boolean> {
  return withTransaction(pool, async (c) => {
    const now = await c.query<{ spec_hash: string }>('SELECT spec_hash FROM jobs WHERE id = $1 AND NOT deleting FOR UPDATE', [job.id]);
    if (now.rows[0]?.spec_hash !== specHash) return rollback(false);
    if (docs.length > 0) {
      // Rows keep the source's order: created_at grows by a microsecond per entry.
      await c.query(
        `INSERT INTO documents (id, collection, filename, metadata, job, state, stage, source_uri, source_key, created_at, updated_at)
         SELECT gen_random_uuid(), $1, f, m::jsonb, $2, 'pending', 'pending', u, k, now() + o * interval '1 microsecond', now()
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(u, k, f, m, o)
         ON CONFLICT DO NOTHING`,
        [job.collection, job.id, docs.map((d) => d.uri), docs.map((d) => d.key), docs.map((d) => d.filename), docs.map((d) => JSON.stringify(d.metadata))],
      );
    }
    await c.query(
      `INSERT INTO job_sources (job, source, spec_hash, cursor, done) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (job, source) DO UPDATE SET spec_hash = $3, cursor = $4, done = $5, updated_at = now()`,
      [job.id, job.source_kind, specHash, next, next === null],
    );
    return true;
  });
}
