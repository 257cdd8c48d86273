// Enqueueing is idempotent per document attempt, one at a time or in bulk (the sweeper), so the
// API, a retry and the sweeper may all add the same attempt and the queue holds it once.
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { enqueueDocument, enqueueDocuments, QUEUE_PREFIX, type DocumentJobData } from '../../src/shared/queue.ts';
import { createWorkerRedis } from '../../src/shared/redis.ts';
import { REDIS_URL } from './support/stack.ts';

describe('the document queue', () => {
  it('holds each document attempt once, however often and however it is added', async () => {
    const connection = createWorkerRedis(REDIS_URL);
    const queue = new Queue<DocumentJobData>(`queue-test-${Date.now()}`, { connection, prefix: QUEUE_PREFIX });
    try {
      const docs = Array.from({ length: 50 }, (_, i) => ({ id: `doc-${i}`, attempts: 0 }));
      await enqueueDocument(queue, 'doc-0', 0);
      await enqueueDocuments(queue, docs);
      await enqueueDocuments(queue, docs);
      await enqueueDocuments(queue, [{ id: 'doc-0', attempts: 1 }]); // a later attempt is new work
      await enqueueDocuments(queue, []);
      expect(await queue.getWaitingCount()).toBe(51);
      const ids = (await queue.getWaiting(0, -1)).map((j) => j.id).sort();
      expect(new Set(ids).size).toBe(51);
      expect(ids).toContain('doc-0_1');
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });
});
