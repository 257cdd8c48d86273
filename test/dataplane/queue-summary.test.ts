// GET /v1/queue's summary counts as demand what waits in BullMQ, retries whose time has come
// (delayedDue), what is in flight, and IngestionJob documents not yet dispatched (pending, within
// each job's parallelism) or not yet listed (expanding): with no worker running, nobody dispatches
// a job's documents, so the autoscalers must see them before BullMQ does.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readQueueSummary } from '../../src/api/queue-summary.ts';
import { migrate } from '../../src/shared/db/migrations.ts';
import { workersKeyFor, writeWorkerHeartbeat } from '../../src/shared/heartbeats.ts';
import { enqueueDocument, enqueueDocuments, QUEUE_PREFIX, type DocumentJobData } from '../../src/shared/queue.ts';
import { createWorkerRedis } from '../../src/shared/redis.ts';
import { createSchema, REDIS_URL } from './support/stack.ts';

let pool: pg.Pool;
let drop: () => Promise<void>;
beforeAll(async () => {
  const schema = await createSchema();
  drop = schema.drop;
  pool = new pg.Pool({ connectionString: schema.url, max: 2 });
  await migrate(pool);
});
afterAll(async () => {
  await pool?.end();
  await drop?.();
});

async function job(id: string, spec: Record<string, unknown>, docs: Record<string, number>, listed = true): Promise<void> {
  await pool.query(`INSERT INTO jobs (id, collection, source_kind, spec, spec_hash, state) VALUES ($1, 'c', 'inline', $2, 'h', 'Running')`, [id, JSON.stringify(spec)]);
  await pool.query(`INSERT INTO job_sources (job, source, spec_hash, done) VALUES ($1, 'inline', 'h', $2)`, [id, listed]);
  for (const [state, n] of Object.entries(docs)) {
    for (let i = 0; i < n; i++) await pool.query(`INSERT INTO documents (id, collection, job, state, source_key) VALUES ($1, 'c', $2, $3, $4)`, [randomUUID(), id, state, randomUUID()]);
  }
}

describe('the queue summary', () => {
  it('counts waiting, due and not-yet-due retries, and the workers by heartbeat', async () => {
    const connection = createWorkerRedis(REDIS_URL);
    const queue = new Queue<DocumentJobData>(`summary-test-${Date.now()}`, { connection, prefix: QUEUE_PREFIX });
    const key = workersKeyFor(queue.name);
    try {
      await enqueueDocuments(queue, [{ id: 'a', attempts: 0 }, { id: 'b', attempts: 0 }, { id: 'c', attempts: 0 }]);
      await enqueueDocument(queue, 'd', 1, 500); // due half a second from now
      await enqueueDocument(queue, 'e', 1, 3_600_000); // due in an hour
      const now = Date.now();
      await writeWorkerHeartbeat(connection, { id: 'worker-busy', active: 2, concurrency: 2, ts: now }, key);
      await writeWorkerHeartbeat(connection, { id: 'worker-idle', active: 0, concurrency: 2, ts: now }, key);

      const before = await readQueueSummary(queue, connection, pool, now);
      expect(before).toMatchObject({ waiting: 3, active: 0, delayed: 2, delayedDue: 0, pending: 0, expanding: 0, depth: 3, failed: 0 });
      expect(before.oldestWaitingSeconds).toBeGreaterThanOrEqual(0);
      expect(before.workers.map((w) => [w.id, w.busy, w.active]).sort()).toEqual([
        ['worker-busy', true, 2],
        ['worker-idle', false, 0],
      ]);

      // A minute later (no worker promotes delayed jobs here): the first retry is due, the other not.
      const later = await readQueueSummary(queue, connection, pool, now + 60_000);
      expect(later).toMatchObject({ waiting: 3, delayed: 2, delayedDue: 1, depth: 4 });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await connection.del(key);
      connection.disconnect();
    }
  });

  it("counts job documents that could start now, within each job's parallelism, and jobs still being listed", async () => {
    await job('big', { parallelism: 10 }, { pending: 50, queued: 2, processing: 3, succeeded: 7 }); // room for 5 more
    await job('small', { parallelism: 10 }, { pending: 2, failed: 1 }); // 2, all it has
    await job('full', { parallelism: 2 }, { pending: 9, processing: 2 }); // no room
    await job('paused', { parallelism: 10, suspend: true }, { pending: 9 }); // suspended: none
    await job('listing', { parallelism: 10 }, {}, false); // being expanded: one
    await job('done', { parallelism: 10 }, { pending: 4 });
    await pool.query(`UPDATE jobs SET state = 'Complete' WHERE id = 'done'`);

    const connection = createWorkerRedis(REDIS_URL);
    const queue = new Queue<DocumentJobData>(`summary-jobs-${Date.now()}`, { connection, prefix: QUEUE_PREFIX });
    try {
      const s = await readQueueSummary(queue, connection, pool);
      expect(s).toMatchObject({ waiting: 0, active: 0, pending: 7, expanding: 1, depth: 8 });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });
});
