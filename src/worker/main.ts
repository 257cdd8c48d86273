// The ingestion worker: consumes document ids from BullMQ, heartbeats to Redis for the
// autoscaler, sweeps for lost work, expands and dispatches IngestionJobs (one expander and one
// dispatcher at a time across replicas), serves /healthz /readyz /metrics, and on SIGTERM stops
// taking work, lets in-flight documents finish, and hands back what is left at the deadline.
import { Worker } from 'bullmq';
import { ChromaStore } from '../shared/chroma-store.ts';
import { CredentialSealer } from '../shared/jobs/credential-sealer.ts';
import { registerDependencyGauge } from '../shared/dependency-gauge.ts';
import { loadWorkerConfig, type WorkerConfig } from '../shared/config/data-plane-config.ts';
import { migrateUntilDone } from '../shared/db/migrate-until-done.ts';
import { createPool } from '../shared/db/pool.ts';
import { createEmbedder } from '../shared/embedding/provider.ts';
import { HEARTBEAT_INTERVAL_MS, removeWorkerHeartbeat, workersKeyFor, writeWorkerHeartbeat } from '../shared/heartbeats.ts';
import { withDeadline } from '../shared/deadline.ts';
import { createLogger, errorFields } from '../shared/logger.ts';
import { metricsRoute, startOpsServer } from '../shared/ops-server.ts';
import { runMain } from '../shared/run-main.ts';
import { createQueue, QUEUE_PREFIX, type DocumentJobData } from '../shared/queue.ts';
import { createWorkerRedis } from '../shared/redis.ts';
import { drainKeyFor } from '../shared/drain.ts';
import { startDispatcher } from './dispatcher.ts';
import { watchDrain } from './drain-watch.ts';
import { expandOnce } from './expander.ts';
import { createWorkerMetrics } from './metrics.ts';
import { CAN_CAP_ADDRESS_SPACE, ParserPool } from './parser.ts';
import { processDocument } from './process-document.ts';
import { StoreBatcher } from './store-batcher.ts';
import { foldLexicalJournal } from '../shared/db/lexical-stats.ts';
import { backfillLexical } from './lexical-backfill.ts';
import { sweepOnce } from './sweeper.ts';
import { checkOcrEngine } from './ocr/engine-check.ts';

export interface RunningWorker {
  stop(): Promise<void>;
  metricsPort: number;
}

export async function startWorker(cfg: WorkerConfig): Promise<RunningWorker> {
  const log = createLogger({ component: 'worker', workerId: cfg.workerId });
  const pool = createPool(cfg.postgresUrl, log, cfg.concurrency + 4);
  // Started before its database (a fresh install): wait for it rather than crash-loop.
  await migrateUntilDone(pool, log);
  const redis = createWorkerRedis(cfg.redisUrl);
  redis.on('error', (err) => log.warn('redis error', errorFields(err)));
  const queue = createQueue(redis, cfg.queueName);
  queue.on('error', (err) => log.warn('queue error', errorFields(err)));
  const chroma = new ChromaStore(cfg.chroma);
  const embedder = createEmbedder(cfg.embedding);
  const metrics = createWorkerMetrics(queue);
  registerDependencyGauge(metrics.registry, { postgres: () => pool.query('SELECT 1'), redis: () => redis.ping(), chroma: () => chroma.heartbeat() });
  const shutdown = new AbortController();
  if (!CAN_CAP_ADDRESS_SPACE) log.warn('prlimit(1) not found (util-linux): parser memory is capped for the V8 heap only, not for decoded PDF streams');
  const parsers = new ParserPool(cfg.parserMemoryMiB, cfg.extractor);
  parsers.warm(cfg.concurrency);
  void checkOcrEngine(cfg.ocr, log);
  const storeBatcher = new StoreBatcher(chroma, { pool, storeText: cfg.chroma.storeText });
  const sealer = cfg.credentialsKey ? new CredentialSealer(cfg.credentialsKey) : undefined;
  const deps = { cfg, pool, queue, chroma, embedder, metrics, log, parsers, storeBatcher, sealer };

  const workerRedis = createWorkerRedis(cfg.redisUrl);
  workerRedis.on('error', (err) => log.warn('redis error', errorFields(err)));
  const worker = new Worker<DocumentJobData>(cfg.queueName, async (job) => processDocument(deps, job.data.documentId, shutdown.signal), {
    connection: workerRedis,
    prefix: QUEUE_PREFIX,
    concurrency: cfg.concurrency,
    // Parsing happens in a child process, so the event loop stays free to renew locks.
    lockDuration: 30_000,
    maxStalledCount: 1,
  });
  worker.on('error', (err) => log.warn('worker error', errorFields(err)));
  worker.on('failed', (job, err) => log.warn('job failed', { jobId: job?.id, ...errorFields(err) }));

  // Written on every change of busy/idle as well as on a timer, so the autoscaler sees a
  // worker turn busy at once rather than up to one interval later.
  let active = 0;
  const workersKey = workersKeyFor(cfg.queueName);
  const heartbeat = () =>
    writeWorkerHeartbeat(redis, { id: cfg.workerId, active, concurrency: cfg.concurrency, ts: Date.now(), ...(drain.draining ? { draining: true } : {}) }, workersKey).catch(
      (err: unknown) => log.warn('heartbeat failed', errorFields(err)),
    );
  // The autoscaler asks a worker to drain before removing it: see src/shared/drain.ts.
  const drain = watchDrain({ redis, key: drainKeyFor(cfg.queueName), workerId: cfg.workerId, worker, log, onChange: () => void heartbeat() });
  worker.on('active', () => {
    active++;
    void heartbeat();
  });
  const done = () => {
    active = Math.max(0, active - 1);
    void heartbeat();
  };
  worker.on('completed', done);
  worker.on('failed', done);
  const hbTimer = setInterval(() => void heartbeat(), HEARTBEAT_INTERVAL_MS);
  void heartbeat();

  const dispatcher = startDispatcher({ pool, queue, redis, concurrency: cfg.concurrency }, (err) => log.warn('dispatch failed', errorFields(err)));
  // A finished document frees a slot: dispatch the next one now rather than at the next tick.
  worker.on('completed', () => dispatcher.poke());
  let expanding: Promise<void> | undefined;
  const sourceBackoff = new Map<string, number>();
  const expandTimer = setInterval(() => {
    expanding ??= expandOnce({
      pool,
      fetch: cfg.fetch,
      sealer,
      signal: shutdown.signal,
      backoff: sourceBackoff,
      onError: (job, err) => log.warn('reading a job source failed', { job, ...errorFields(err) }),
    })
      .then(() => undefined)
      .catch((err: unknown) => log.warn('expansion failed', errorFields(err)))
      .finally(() => (expanding = undefined));
  }, 500);

  // The collections' term statistics follow their chunks within about a second.
  let folding = false;
  const foldTimer = setInterval(() => {
    if (folding) return;
    folding = true;
    foldLexicalJournal(pool)
      .catch((err: unknown) => log.warn('folding the lexical journal failed; retrying', errorFields(err)))
      .finally(() => (folding = false));
  }, 1_000);

  let sweeping = false;
  let backfilling = false;
  const sweepTimer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweepOnce(pool, queue, cfg.staleSeconds, cfg.maxAttempts)
      .then((r) => {
        if (r.requeued || r.exhausted) log.info('sweep', { ...r });
      })
      .catch((err: unknown) => log.warn('sweep failed', errorFields(err)))
      .finally(() => (sweeping = false));
    if (!backfilling) {
      backfilling = true;
      backfillLexical(pool, chroma, BACKFILL_BUDGET_MS)
        .then((r) => {
          if (r.documents) log.info('lexical index backfilled', { ...r });
        })
        .catch((err: unknown) => log.warn('lexical backfill failed; retrying', errorFields(err)))
        .finally(() => (backfilling = false));
    }
  }, cfg.sweepIntervalSeconds * 1000);

  const ops = await startOpsServer(cfg.metricsPort, {
    '/healthz': async () => ({ status: 200, body: 'ok' }),
    '/readyz': async () => {
      try {
        await Promise.all([redis.ping(), pool.query('SELECT 1')]);
      } catch (err) {
        return { status: 503, body: `not ready: ${(err as Error).message}` };
      }
      return shutdown.signal.aborted ? { status: 503, body: 'stopping' } : { status: 200, body: 'ok' };
    },
    '/metrics': metricsRoute(metrics.registry),
  });
  const metricsPort = ops.port;
  log.info('worker started', { concurrency: cfg.concurrency, metricsPort, queue: cfg.queueName });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('worker stopping');
      const deadline = setTimeout(() => shutdown.abort(), cfg.shutdownTimeoutSeconds * 1000);
      // Redis may be gone for good (its pod deleted with the cluster), and its clients wait
      // forever by design: no step of the stop may wait on it unbounded.
      const bounded = (what: string, p: Promise<unknown>) =>
        withDeadline(p, STOP_STEP_MS, () => new Error(`${what} did not finish within ${STOP_STEP_MS / 1000} s`)).catch((err: unknown) => log.warn('stop step cut short', errorFields(err)));
      clearInterval(sweepTimer);
      clearInterval(foldTimer);
      clearInterval(expandTimer);
      drain.stop();
      await bounded('dispatcher stop', dispatcher.stop());
      // Documents in flight finish, or are handed back at the deadline; with none in flight for
      // a while, a close still waiting (on an unreachable Redis) is not waited for any longer.
      const closed = worker.close();
      await Promise.race([closed, untilIdleFor(() => active, STOP_STEP_MS), afterAbort(shutdown.signal, STOP_STEP_MS)]);
      clearTimeout(deadline);
      void worker.close(true).catch(() => undefined);
      parsers.close();
      await expanding;
      clearInterval(hbTimer);
      await bounded('heartbeat removal', removeWorkerHeartbeat(redis, cfg.workerId, workersKey));
      await bounded('queue close', queue.close());
      // BullMQ leaves connections it was given open; without these the process would not exit.
      workerRedis.disconnect();
      redis.disconnect();
      await pool.end();
      await ops.close();
      log.info('worker stopped');
    })());
  return { stop, metricsPort };
}

/** A stop step that waits on Redis or PostgreSQL gets this long. */
const STOP_STEP_MS = 5_000;
/** Time one sweep tick gives the lexical backfill (it goes on at the next tick). */
const BACKFILL_BUDGET_MS = 5_000;

/** Resolves once `inFlight()` has been 0 for `ms` without a break. */
function untilIdleFor(inFlight: () => number, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let idleSince = inFlight() === 0 ? Date.now() : undefined;
    const timer = setInterval(() => {
      if (inFlight() !== 0) idleSince = undefined;
      else idleSince ??= Date.now();
      if (idleSince !== undefined && Date.now() - idleSince >= ms) {
        clearInterval(timer);
        resolve();
      }
    }, 250);
  });
}

/** Resolves `ms` after the signal aborts. */
function afterAbort(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const later = () => void setTimeout(resolve, ms);
    if (signal.aborted) later();
    else signal.addEventListener('abort', later, { once: true });
  });
}

export async function runWorker(): Promise<void> {
  const cfg = loadWorkerConfig();
  const w = await startWorker(cfg);
  await new Promise<void>((resolve) => {
    const onSignal = () => void w.stop().then(resolve);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

if (import.meta.main) runMain('worker', runWorker);
