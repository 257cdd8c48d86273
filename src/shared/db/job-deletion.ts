// Deleting a job: without purge its record and the documents that never started go; with purge
// every document goes too, chunks first, in steps a request's time budget allows.
import type pg from 'pg';
import { stopStarting } from './jobs.ts';
import { withTransaction } from './transaction.ts';

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
