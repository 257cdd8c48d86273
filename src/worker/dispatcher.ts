// The dispatcher (docs/jobs.md, "Dispatch"): every worker runs a tick about every 500 ms, and a
// PostgreSQL transaction-scoped advisory lock lets one run at a time across replicas. A tick
// applies deadlines and failure budgets, hands pending documents of each job to the queue within
// its parallelism and a fair share of the workers' free slots, settles job states and prunes the
// bytes of jobs past their TTL. Sources are expanded apart from it (expander.ts), so a slow
// manifest or bucket never holds up dispatching.
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import * as dispatch from '../shared/db/dispatch.ts';
import { countsByJob } from '../shared/db/job-progress.ts';
import { checkFailureBudget, failureOf, stopStarting } from '../shared/db/jobs.ts';
import { withTransaction } from '../shared/db/transaction.ts';
import { withDeadline } from '../shared/deadline.ts';
import { readWorkerHeartbeats, workersKeyFor } from '../shared/heartbeats.ts';
import { allocate } from '../shared/jobs/allocate.ts';
import { settle } from '../shared/jobs/settle.ts';
import { enqueueDocuments, queuePriority, type DocumentJobData, type EnqueueItem } from '../shared/queue.ts';

export interface DispatchDeps {
  pool: pg.Pool;
  queue: Queue<DocumentJobData>;
  redis: Redis;
  /** This worker's concurrency: the capacity assumed when no heartbeat can be read. */
  concurrency: number;
}

/** Queued + processing documents of all jobs kept at this many times the workers' slots. */
const SLOTS_FACTOR = 2;
const REDIS_DEADLINE_MS = 1_000;

export interface DispatchReport {
  ran: boolean;
  /** Now `queued` in PostgreSQL, to be put on the queue. */
  items: EnqueueItem[];
}

const LOCK = `SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || ':sluice-dispatcher')) AS locked`;

export async function dispatchOnce(deps: DispatchDeps, capacity: number): Promise<DispatchReport> {
  // The advisory lock is the transaction's: COMMIT (or ROLLBACK on an error) lets it go.
  return withTransaction(deps.pool, async (client) => {
    const items: EnqueueItem[] = [];
    if (!(await client.query<{ locked: boolean }>(LOCK)).rows[0]?.locked) return { ran: false, items };
    await dispatch.applyDeadlines(client);
    const jobs = await dispatch.activeJobs(client);
    const counts = await countsByJob(client, jobs.map((j) => j.id));
    for (const j of jobs) {
      const target = await checkFailureBudget(client, j, counts.get(j.id));
      if (target) {
        j.failure_reason = target.reason;
        j.failure_message = target.message;
      }
    }
    const inFlight = (id: string) => {
      const c = counts.get(id)!;
      return c.queued + c.processing;
    };
    const runnable = jobs.filter((j) => !j.spec.suspend && !j.failure_reason);
    // A retry or the sweeper may have queued a document of a job that must not start any.
    for (const j of jobs) {
      const c = counts.get(j.id)!;
      if (runnable.includes(j) || c.queued === 0) continue;
      await stopStarting(client, j.id);
      c.pending += c.queued;
      c.queued = 0;
    }
    const free = SLOTS_FACTOR * capacity - jobs.reduce((n, j) => n + inFlight(j.id), 0);
    const shares = allocate(
      runnable.map((j) => ({
        id: j.id,
        priority: j.spec.priority,
        room: j.spec.parallelism - inFlight(j.id),
        pending: counts.get(j.id)!.pending,
        lastDispatchedAt: j.last_dispatched_at?.getTime() ?? null,
      })),
      free,
    );
    for (const j of runnable) {
      const n = shares.get(j.id) ?? 0;
      if (n === 0) continue;
      const taken = await dispatch.takePending(client, j.id, n);
      for (const t of taken) items.push({ id: t.id, attempts: t.attempts, delayMs: t.delayMs, priority: queuePriority(j.spec.priority) });
      const c = counts.get(j.id)!;
      c.pending -= taken.length;
      c.queued += taken.length;
    }
    // Counted once per tick (with the changes above applied): a big job's documents are many.
    for (const j of jobs) {
      const s = settle({ state: j.state, suspend: j.spec.suspend, failure: failureOf(j), expansionDone: j.expanded, counts: counts.get(j.id)! });
      if (s.state !== j.state || s.reason !== j.reason || s.message !== j.message || (s.state === 'Running' && !j.started_at)) await dispatch.writeSettled(client, j.id, s);
    }
    await dispatch.pruneFinished(client);
    return { ran: true, items };
  });
}

export interface Dispatcher {
  /** Ask for a tick soon (a document finished, so a slot is free). */
  poke(): void;
  stop(): Promise<void>;
}

/**
 * Runs dispatchOnce every `intervalMs`, or sooner after poke(). A Redis that does not answer
 * (the worker's client waits out outages) costs one pending read or write at a time, never a
 * pile of them, and never stops dispatching in PostgreSQL.
 */
export function startDispatcher(deps: DispatchDeps, onError: (err: unknown) => void, intervalMs = 500): Dispatcher {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let capacity = deps.concurrency;
  let readingCapacity = false;
  let enqueuing = false;
  const readCapacity = () => {
    if (readingCapacity) return;
    readingCapacity = true;
    readWorkerHeartbeats(deps.redis, { key: workersKeyFor(deps.queue.name) })
      .then((hb) => (capacity = Math.max(deps.concurrency, hb.workers.reduce((n, w) => n + w.concurrency, 0))))
      .catch(() => (capacity = deps.concurrency))
      .finally(() => (readingCapacity = false));
  };
  // After the commit: a document is `queued` before it is on the queue. If Redis does not take
  // it now, the sweeper puts queued documents that do not move on the queue again.
  const enqueue = async (items: EnqueueItem[]) => {
    if (items.length === 0 || enqueuing) return;
    enqueuing = true;
    const p = enqueueDocuments(deps.queue, items).finally(() => (enqueuing = false));
    await withDeadline(p, REDIS_DEADLINE_MS, () => new Error('Redis did not take the dispatched documents in time; the sweeper will'));
  };
  const tick = async () => {
    readCapacity();
    await enqueue((await dispatchOnce(deps, capacity)).items);
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  let poked = false;
  const run = () => {
    if (running) return;
    poked = false;
    running = tick()
      .catch(onError)
      .finally(() => {
        running = undefined;
        schedule(poked ? 0 : intervalMs);
      });
  };
  schedule(0);
  return {
    poke: () => {
      if (running) poked = true;
      else schedule(10);
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
