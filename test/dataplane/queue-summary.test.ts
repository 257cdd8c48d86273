// GET /v1/queue's summary counts retries whose time has come as demand (delayedDue), and its
// depth is waiting + due + active: the number both autoscalers scale on.
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { readQueueSummary } from '../../src/api/queue-summary.ts';
import { workersKeyFor, writeWorkerHeartbeat } from '../../src/shared/heartbeats.ts';
import { enqueueDocument, enqueueDocuments, QUEUE_PREFIX, type DocumentJobData } from '../../src/shared/queue.ts';
import { createWorkerRedis } from '../../src/shared/redis.ts';
import { REDIS_URL } from './support/stack.ts';

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

      const before = await readQueueSummary(queue, connection, now);
      expect(before).toMatchObject({ waiting: 3, active: 0, delayed: 2, delayedDue: 0, depth: 3, failed: 0 });
      expect(before.oldestWaitingSeconds).toBeGreaterThanOrEqual(0);
      expect(before.workers.map((w) => [w.id, w.busy, w.active]).sort()).toEqual([
        ['worker-busy', true, 2],
        ['worker-idle', false, 0],
      ]);

      // A minute later (no worker promotes delayed jobs here): the first retry is due, the other not.
      const later = await readQueueSummary(queue, connection, now + 60_000);
      expect(later).toMatchObject({ waiting: 3, delayed: 2, delayedDue: 1, depth: 4 });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await connection.del(key);
      connection.disconnect();
    }
  });
});
