// The worker's queue gauges read Redis at scrape time; with Redis unreachable the scrape must
// still answer, promptly, with the rest of the metrics and without stale queue figures.
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { freePort } from '@sluice/devenv/net';
import { QUEUE_PREFIX } from '../../src/shared/queue.ts';
import { createWorkerRedis } from '../../src/shared/redis.ts';
import { createWorkerMetrics } from '../../src/worker/metrics.ts';
import { REDIS_URL } from './support/stack.ts';

describe('worker metrics', () => {
  it('reports the queue while Redis answers', async () => {
    const queue = new Queue(`metrics-${Date.now()}`, { connection: createWorkerRedis(REDIS_URL), prefix: QUEUE_PREFIX });
    try {
      await queue.add('document', { documentId: 'x' });
      const text = await createWorkerMetrics(queue).registry.metrics();
      expect(text).toMatch(/^sluice_queue_depth\{state="waiting"\} 1$/m);
      expect(text).toMatch(/^sluice_queue_oldest_waiting_seconds \d/m);
      expect(text).toMatch(/^sluice_queue_read_errors_total 0$/m);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('answers without the queue gauges, and counts the failed read, while Redis is unreachable', async () => {
    // The worker's own client settings: it waits out outages instead of failing commands.
    const connection = createWorkerRedis(`redis://127.0.0.1:${await freePort()}`);
    connection.on('error', () => undefined);
    const queue = new Queue('unreachable', { connection, prefix: QUEUE_PREFIX });
    queue.on('error', () => undefined);
    try {
      const metrics = createWorkerMetrics(queue);
      let started = Date.now();
      const first = await metrics.registry.metrics();
      expect(Date.now() - started).toBeLessThan(10_000); // the 2 s deadline, not the outage
      expect(first).not.toMatch(/^sluice_queue_depth\{/m);
      expect(first).toMatch(/^sluice_queue_oldest_waiting_seconds nan$/im);
      expect(first).toMatch(/^sluice_pages_total 0$/m);
      // Its reads still wait in the client for Redis to return; while they do, a scrape starts
      // no others (they would pile up for the whole outage), so it does not wait either.
      started = Date.now();
      const second = await metrics.registry.metrics();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(second).toMatch(/^sluice_queue_oldest_waiting_seconds nan$/im);
      const third = await metrics.registry.metrics();
      // Two failed reads a scrape (depth and age), all counted.
      expect(Number(/^sluice_queue_read_errors_total (\d+)$/m.exec(third)?.[1])).toBeGreaterThanOrEqual(4);
    } finally {
      connection.disconnect();
      await queue.close().catch(() => undefined);
    }
  });
});
