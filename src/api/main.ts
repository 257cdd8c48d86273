// The API process: reads its configuration, migrates the schema (safe with many replicas), and
// serves until SIGTERM, when it stops accepting connections and lets requests finish.
import http from 'node:http';
import { ChromaStore } from '../shared/chroma-store.ts';
import { registerDependencyGauge } from '../shared/dependency-gauge.ts';
import { loadApiConfig, type ApiConfig } from '../shared/config/data-plane-config.ts';
import { migrate } from '../shared/db/migrations.ts';
import { migrateUntilDone } from '../shared/db/migrate-until-done.ts';
import { sealStoredCredentials } from '../shared/db/credential-migration.ts';
import { CredentialSealer } from '../shared/jobs/credential-sealer.ts';
import { createPool } from '../shared/db/pool.ts';
import { createEmbedder } from '../shared/embedding/provider.ts';
import { createLogger, errorFields } from '../shared/logger.ts';
import { closeServer, listen, metricsRoute, startOpsServer } from '../shared/ops-server.ts';
import { runMain } from '../shared/run-main.ts';
import { createQueue } from '../shared/queue.ts';
import { createApiRedis } from '../shared/redis.ts';
import { createApp } from './app.ts';
import { declaresTooLarge } from './upload.ts';
import { watchKeysFiles } from './keys-file.ts';
import { createApiMetrics } from './metrics.ts';

export interface RunningApi {
  port: number;
  /** Where /metrics is served, apart from the keyed API port. */
  metricsPort: number;
  stop(): Promise<void>;
}

export async function startApi(cfg: ApiConfig): Promise<RunningApi> {
  const log = createLogger({ component: 'api' });
  const keyFiles = [cfg.apiKeysFile, cfg.operatorKeysFile].filter((f) => f !== undefined);
  const keys =
    keyFiles.length > 0
      ? watchKeysFiles(
          keyFiles,
          cfg.apiKeysReloadSeconds * 1000,
          (err) => log.warn('the API keys files no longer parse; keeping the previous keys', errorFields(err)),
          (count) => log.info('API keys reloaded', { count }),
        )
      : null;
  if (keys === null) log.warn('neither SLUICE_API_KEYS_FILE nor SLUICE_OPERATOR_KEYS_FILE is set: every request except health is refused');
  // Uploads queue for a connection under load; 15 s lets a burst of hundreds drain.
  const pool = createPool(cfg.postgresUrl, log, 32, 15_000);
  const sealer = cfg.credentialsKey ? new CredentialSealer(cfg.credentialsKey) : undefined;
  if (!sealer) log.warn('SLUICE_CREDENTIALS_KEY is not set: jobs with object-store credentials are refused (503)');
  // Credentials stored in plain text before they were sealed are sealed once the schema is there.
  const sealPlainCredentials = async () => {
    const jobs = sealer ? await sealStoredCredentials(pool, sealer) : 0;
    if (jobs > 0) log.info('sealed the plain-text credentials of stored jobs', { jobs });
  };
  // If PostgreSQL is away the API still comes up (answering 503) and keeps trying to migrate.
  await migrate(pool)
    .then(sealPlainCredentials)
    .catch((err: unknown) => {
      log.warn('migration failed; retrying in the background', errorFields(err));
      void migrateUntilDone(pool, log)
        .then(sealPlainCredentials)
        .catch(() => undefined); // the API stopped first
    });
  const redis = createApiRedis(cfg.redisUrl);
  redis.on('error', (err) => log.warn('redis error', errorFields(err)));
  const queue = createQueue(redis, cfg.queueName);
  queue.on('error', (err) => log.warn('queue error', errorFields(err)));
  // The client fails fast (no offline queue), so give it a moment to connect before serving;
  // if Redis is down the API still starts and answers 503 until it is back.
  await new Promise<void>((resolve) => {
    if (redis.status === 'ready') return resolve();
    const t = setTimeout(resolve, 5_000);
    redis.once('ready', () => {
      clearTimeout(t);
      resolve();
    });
  });
  const metrics = createApiMetrics();
  const chroma = new ChromaStore(cfg.chroma);
  registerDependencyGauge(metrics.registry, { postgres: () => pool.query('SELECT 1'), redis: () => redis.ping(), chroma: () => chroma.heartbeat() });
  const app = createApp({
    pool,
    redis,
    queue,
    chroma,
    embedder: createEmbedder(cfg.embedding),
    metrics,
    log,
    keys: () => keys?.current() ?? null,
    maxUploadBytes: cfg.maxUploadBytes,
    maxQueueDepth: cfg.maxQueueDepth,
    rateLimitPerMinute: cfg.rateLimitPerMinute,
    searchMode: cfg.searchMode,
    searchVectorWeight: cfg.searchVectorWeight,
    sealer,
  });
  const release = async () => {
    keys?.stop();
    await queue.close();
    redis.disconnect();
    await pool.end();
  };
  // If a port is taken, start-up fails with nothing left listening or connected.
  const server = http.createServer(app);
  server.requestTimeout = 0; // large uploads on slow links; the per-socket idle timeout still applies
  server.keepAliveTimeout = 65_000;
  // A client that asks before sending its body (Expect: 100-continue) is not invited to send one
  // whose declared length is over the cap: it gets the 413 at once, and no 100 Continue first.
  server.on('checkContinue', (req, res) => {
    if (!declaresTooLarge(req.headers, cfg.maxUploadBytes)) res.writeContinue();
    app(req, res);
  });
  let ops: Awaited<ReturnType<typeof startOpsServer>>;
  let port: number;
  try {
    ops = await startOpsServer(cfg.metricsPort, { '/metrics': metricsRoute(metrics.registry) });
    port = await listen(server, cfg.port).catch(async (err: unknown) => {
      await ops.close();
      throw err;
    });
  } catch (err) {
    await release();
    throw err;
  }
  log.info('api listening', { port, metricsPort: ops.port });
  let stopping: Promise<void> | undefined;
  return {
    port,
    metricsPort: ops.port,
    stop: () =>
      (stopping ??= (async () => {
        await closeServer(server);
        await ops.close();
        await release();
      })()),
  };
}

export async function runApi(): Promise<void> {
  const api = await startApi(loadApiConfig());
  await new Promise<void>((resolve) => {
    const onSignal = () => void api.stop().then(resolve);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

if (import.meta.main) runMain('api', runApi);
