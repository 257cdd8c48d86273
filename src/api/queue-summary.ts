// GET /v1/queue's answer (docs/jobs.md): the queue's depth, the IngestionJob work not yet
// queued and the workers' heartbeats, read in one round of commands. The operator's autoscaler and `kubectl get ic` read it.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { readJobDemand, readOcrPages } from '../shared/db/job-demand.ts';
import { ocrDemand } from '../shared/jobs/ocr-demand.ts';
import { withDeadline } from '../shared/deadline.ts';
import { readWorkerHeartbeats, workersKeyFor } from '../shared/heartbeats.ts';

export interface QueueSummary {
  waiting: number;
  active: number;
  delayed: number;
  /** Delayed documents (retries) whose time has come: BullMQ moves them to waiting soon. */
  delayedDue: number;
  /** IngestionJob documents that could start now but are not dispatched to the queue yet. */
  pending: number;
  /** IngestionJobs whose source list is still being read. */
  expanding: number;
  /** Pages the workers are recognising now (OCR). */
  ocrPages: number;
  /**
   * waiting + delayedDue + active + pending + expanding, and a document's worth for every
   * OCR_PAGES_PER_DOCUMENT pages being recognised: the demand an autoscaler scales on.
   */
  depth: number;
  failed: number;
  oldestWaitingSeconds: number;
  workers: { id: string; busy: boolean; active: number; concurrency: number; lastHeartbeat: string; draining: boolean }[];
}

export async function readQueueSummary(q: Queue, redis: Redis, pool: pg.Pool, now = Date.now()): Promise<QueueSummary> {
  const read = () =>
    Promise.all([
      q.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
      q.getJobs(['waiting', 'prioritized'], 0, 0, true),
      readWorkerHeartbeats(redis, { key: workersKeyFor(q.name) }),
      // BullMQ scores a delayed job by its due time × 0x1000 plus a counter below 0x1000.
      redis.zcount(q.keys.delayed!, 0, (now + 1) * 0x1000 - 1),
      readJobDemand(pool),
      readOcrPages(pool),
    ]);
  const [counts, oldest, hb, delayedDue, jobs, ocrPages] = await withDeadline(read(), 3_000, () => new Error('Command timed out: Redis or PostgreSQL did not answer within 3 s'));
  const first = oldest.reduce((min, j) => Math.min(min, j.timestamp), Infinity);
  const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
  const active = counts.active ?? 0;
  return {
    waiting,
    active,
    delayed: counts.delayed ?? 0,
    delayedDue,
    pending: jobs.pending,
    expanding: jobs.expanding,
    ocrPages,
    depth: waiting + delayedDue + active + jobs.pending + jobs.expanding + ocrDemand(ocrPages),
    failed: counts.failed ?? 0,
    oldestWaitingSeconds: Number.isFinite(first) ? Math.max(0, (now - first) / 1000) : 0,
    workers: hb.workers.map((w) => ({ id: w.id, busy: w.active > 0, active: w.active, concurrency: w.concurrency, lastHeartbeat: new Date(w.ts).toISOString(), draining: w.draining === true })),
  };
}
