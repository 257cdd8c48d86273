// Nothing accepted is lost: documents whose worker died go back to `queued`, and queued documents
// that are not moving are put on the queue again. Enqueueing is idempotent (job id = document +
// attempt), so a sweep that races the API or a retry adds nothing twice. Uploads whose API
// stopped refreshing them are removed. One sweeper runs at a time across all workers, under a
// PostgreSQL advisory lock.
import type pg from 'pg';
import type { Queue } from 'bullmq';
import { sweep } from '../shared/db/sweep.ts';
import { enqueueDocuments, type DocumentJobData } from '../shared/queue.ts';

export interface SweepReport {
  ran: boolean;
  requeued: number;
  exhausted: number;
  abandonedUploads: number;
}

export async function sweepOnce(pool: pg.Pool, queue: Queue<DocumentJobData>, staleSeconds: number, maxAttempts: number): Promise<SweepReport> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext(current_schema() || ':sluice-sweeper')) AS locked`);
    if (!rows[0]?.locked) return { ran: false, requeued: 0, exhausted: 0, abandonedUploads: 0 };
    try {
      const r = await sweep(pool, staleSeconds, maxAttempts);
      await enqueueDocuments(queue, r.requeued);
      return { ran: true, requeued: r.requeued.length, exhausted: r.exhausted.length, abandonedUploads: r.abandonedUploads };
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext(current_schema() || ':sluice-sweeper'))`);
    }
  } finally {
    client.release();
  }
}
