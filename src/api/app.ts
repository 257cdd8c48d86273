// The HTTP routes of the upload and search API. Everything it depends on is passed in, so tests
// build it against their own Redis, PostgreSQL, Chroma and queue.
import type { IncomingHttpHeaders } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Queue } from 'bullmq';
import type { ChromaStore } from '../shared/chroma-store.ts';
import * as docs from '../shared/db/documents.ts';
import { isUnavailable } from '../shared/db/pool.ts';
import type { Embedder } from '../shared/embedding/embedder.ts';
import { DocumentError } from '../shared/errors.ts';
import { errorFields, type Logger } from '../shared/logger.ts';
import { enqueueDocument, type DocumentJobData } from '../shared/queue.ts';
import { assertMayUse, authenticate, presentedKey, type ApiKey } from './auth.ts';
import { drainAfterAnswer } from './early-answer.ts';
import { HttpError } from './http-error.ts';
import { createJobsRouter } from './jobs-routes.ts';
import type { ApiMetrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { takeToken } from './rate-limit.ts';
import { searchChunks } from './search.ts';
import { digestUpload, receiveUpload, validCollection } from './upload.ts';

export interface AppDeps {
  pool: pg.Pool;
  redis: Redis;
  queue: Queue<DocumentJobData>;
  chroma: ChromaStore;
  embedder: Embedder;
  metrics: ApiMetrics;
  log: Logger;
  /** The keys in force now; null: no keys file, so everything but health is refused. */
  keys: () => readonly ApiKey[] | null;
  maxUploadBytes: number;
  maxQueueDepth: number;
  rateLimitPerMinute: number;
}

type Authed = Request & { apiKey?: ApiKey };

const STATES: readonly docs.DocumentState[] = ['pending', 'queued', 'processing', 'succeeded', 'failed', 'skipped'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when a request declares a body larger than any upload may be (the cap plus room for the
 * multipart envelope). The server answers these without inviting the body (no 100 Continue).
 */
export function declaresTooLarge(headers: IncomingHttpHeaders, maxUploadBytes: number): boolean {
  const length = Number(headers['content-length']);
  return Number.isFinite(length) && length > maxUploadBytes + 64 * 1024;
}

export function createApp(d: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    const end = d.metrics.duration.startTimer();
    const started = Date.now();
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      end({ method: req.method, route });
      d.metrics.requests.inc({ method: req.method, route, status: String(res.statusCode), code: String(res.locals.code ?? '') });
      if (route !== '/healthz' && route !== '/readyz') {
        d.log.info('request', { method: req.method, path: req.path, route, status: res.statusCode, ms: Date.now() - started, key: (req as Authed).apiKey?.name });
      }
    });
    next();
  });

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.allSettled([d.pool.query('SELECT 1'), d.redis.ping()]);
    const [pgOk, redisOk] = checks.map((c) => c.status === 'fulfilled');
    res.status(pgOk && redisOk ? 200 : 503).json({ postgres: pgOk ? 'ok' : 'unreachable', redis: redisOk ? 'ok' : 'unreachable' });
  });

  const auth = (req: Authed, _res: Response, next: NextFunction) => {
    const keys = d.keys();
    if (keys === null) return next(new HttpError(401, 'Unauthenticated', 'no API keys are configured (SLUICE_API_KEYS_FILE); only health endpoints answer'));
    const key = authenticate(keys, presentedKey(req.headers));
    if (!key) return next(new HttpError(401, 'Unauthenticated', 'missing or unknown API key: send Authorization: Bearer <key>'));
    req.apiKey = key;
    next();
  };
  const rateLimit = async (req: Authed, res: Response, next: NextFunction) => {
    if (d.rateLimitPerMinute <= 0) return next();
    let r: Awaited<ReturnType<typeof takeToken>>;
    try {
      r = await takeToken(d.redis, req.apiKey!.name, d.rateLimitPerMinute);
    } catch (err) {
      // Fail open: while Redis is unreachable the limit is not enforced, rather than refusing
      // every request (an outage of the limiter should not become an outage of the API).
      d.metrics.rateLimitUnavailable.inc();
      d.log.warn('rate limit not enforced: redis unreachable', errorFields(err));
      return next();
    }
    try {
      res.setHeader('x-ratelimit-limit', String(d.rateLimitPerMinute));
      res.setHeader('x-ratelimit-remaining', String(r.remaining));
      if (!r.allowed) throw new HttpError(429, 'RateLimited', `more than ${d.rateLimitPerMinute} requests this minute for key ${req.apiKey!.name}`, { 'retry-after': String(r.retryAfterSeconds) });
      next();
    } catch (err) {
      next(err);
    }
  };
  // Any valid key may read the API's description; only health answers without one.
  app.get('/openapi.json', auth, (_req, res) => void res.json(openApiDocument()));

  const v1 = express.Router();
  v1.use(auth, rateLimit);
  v1.use(createJobsRouter(d));

  // The document is durable in PostgreSQL already: if Redis is down, the sweeper enqueues it.
  const enqueueOrLeaveToSweeper = (doc: docs.DocumentRow) =>
    enqueueDocument(d.queue, doc.id, doc.attempts).catch((err: unknown) => d.log.warn('enqueue failed; the sweeper will retry', errorFields(err)));

  // The backlog is read from PostgreSQL, the source of truth: it counts documents whose jobs a
  // lost Redis dropped, and uploads keep working while Redis is away (the sweeper enqueues them).
  let depthCache = { at: 0, depth: 0 };
  const queueDepth = async () => {
    if (Date.now() - depthCache.at > 500) depthCache = { at: Date.now(), depth: await docs.countQueued(d.pool) };
    return depthCache.depth;
  };

  v1.post('/documents', async (req: Authed, res) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(type)) throw new HttpError(415, 'UnsupportedMediaType', 'upload the PDF as multipart/form-data with a "file" part');
    if (declaresTooLarge(req.headers, d.maxUploadBytes)) throw new HttpError(413, 'TooLarge', `the upload is larger than the limit of ${d.maxUploadBytes} bytes`);
    if ((await queueDepth()) >= d.maxQueueDepth) throw new HttpError(503, 'Backpressure', `the queue holds ${d.maxQueueDepth} or more documents; retry later`, { 'retry-after': '30' });
    const idem = req.header('idempotency-key') ?? null;
    if (idem !== null && (idem.length === 0 || idem.length > 255)) throw new HttpError(400, 'InvalidIdempotencyKey', 'Idempotency-Key must be 1-255 characters');
    const q = typeof req.query.collection === 'string' ? req.query.collection : undefined;
    if (idem) {
      const existing = await docs.findByIdempotencyKey(d.pool, req.apiKey!.name, idem);
      if (existing) {
        // A retry must be the same request: the same file for the same collection.
        const again = await digestUpload(req, d.maxUploadBytes, q);
        if (again.sha256 !== existing.sha256 || again.collection !== existing.collection) {
          throw new HttpError(422, 'IdempotencyKeyReused', `Idempotency-Key ${JSON.stringify(idem)} was used for a different upload (document ${existing.id}); use a new key for a new upload`);
        }
        res.setHeader('idempotent-replayed', 'true');
        return void res.status(200).json({ document: docs.toView(existing), duplicate: true });
      }
    }
    const result = await receiveUpload(req, { pool: d.pool, key: req.apiKey!, maxBytes: d.maxUploadBytes, idempotencyKey: idem, defaultCollection: q });
    if (result.kind === 'duplicate') return void res.status(200).json({ document: docs.toView(result.doc), duplicate: true });
    d.metrics.uploadBytes.inc(Number(result.doc.size_bytes ?? 0));
    // The document is durable now; if Redis is down the sweeper enqueues it later.
    await enqueueOrLeaveToSweeper(result.doc);
    res.status(202).location(`/v1/documents/${result.doc.id}`).json({ document: docs.toView(result.doc), duplicate: false });
  });

  const loadAllowed = async (req: Authed): Promise<docs.DocumentRow> => {
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new HttpError(404, 'NotFound', `no document ${id}`);
    const doc = await docs.getDocument(d.pool, id);
    if (!doc || doc.state === 'uploading') throw new HttpError(404, 'NotFound', `no document ${id}`);
    assertMayUse(req.apiKey!, doc.collection);
    return doc;
  };

  v1.get('/documents/:id', async (req: Authed, res) => {
    res.json({ document: docs.toView(await loadAllowed(req)) });
  });

  v1.get('/documents', async (req: Authed, res) => {
    const str = (k: string) => (typeof req.query[k] === 'string' ? (req.query[k] as string) : undefined);
    const collection = str('collection');
    const state = str('state');
    if (state !== undefined && !STATES.includes(state as docs.DocumentState)) throw new HttpError(400, 'InvalidState', `state must be one of ${STATES.join(', ')}`);
    if (collection !== undefined) assertMayUse(req.apiKey!, collection);
    const limit = Number(str('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, 'InvalidLimit', 'limit must be an integer from 1 to 1000');
    let after: { createdAt: string; id: string } | undefined;
    const cursor = str('cursor');
    if (cursor) {
      try {
        after = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { createdAt: string; id: string };
        if (typeof after.createdAt !== 'string' || !UUID.test(after.id)) throw new Error('bad');
      } catch {
        throw new HttpError(400, 'InvalidCursor', 'cursor is not one this API returned');
      }
    }
    const rows = await docs.listDocuments(d.pool, { collections: req.apiKey!.collections, collection, state: state as docs.DocumentState | undefined, job: str('job'), limit, after });
    const last = rows.at(-1);
    const next = rows.length === limit && last ? Buffer.from(JSON.stringify({ createdAt: last.created_at.toISOString(), id: last.id })).toString('base64url') : null;
    res.json({ documents: rows.map(docs.toView), nextCursor: next });
  });

  v1.delete('/documents/:id', async (req: Authed, res) => {
    const doc = await loadAllowed(req);
    // Read before the delete takes its connection: the callback must not need a second one.
    const col = await docs.getCollection(d.pool, doc.collection);
    // Chunks first: if Chroma is down the record stays and the delete can be retried.
    const outcome = await docs.deleteDocument(d.pool, doc.id, async () => {
      if (col) await d.chroma.deleteDocument(doc.collection, doc.id, col.model, col.dimensions);
    });
    if (outcome === 'processing') throw new HttpError(409, 'InProgress', 'the document is being processed; retry when it has finished', { 'retry-after': '5' });
    if (outcome === 'missing') throw new HttpError(404, 'NotFound', `no document ${doc.id}`);
    res.status(204).end();
  });

  v1.post('/documents/:id/reindex', async (req: Authed, res) => {
    const doc = await loadAllowed(req);
    const updated = await docs.requestReindex(d.pool, doc.id);
    if (!updated) throw new HttpError(409, 'InProgress', `the document is ${doc.state}; only succeeded or failed documents can be reindexed`);
    await enqueueOrLeaveToSweeper(updated);
    res.status(202).json({ document: docs.toView(updated) });
  });

  v1.post('/search', express.json({ limit: '64kb' }), async (req: Authed, res) => {
    const body = (req.body ?? {}) as { collection?: unknown; query?: unknown; limit?: unknown; documentId?: unknown };
    if (typeof body.collection !== 'string' || !validCollection(body.collection)) throw new HttpError(400, 'InvalidCollection', 'collection must be a valid collection name');
    if (typeof body.query !== 'string' || body.query.trim() === '' || body.query.length > 8192) throw new HttpError(400, 'InvalidQuery', 'query must be a non-empty string of at most 8192 characters');
    const limit = body.limit === undefined ? 10 : body.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, 'InvalidLimit', 'limit must be an integer from 1 to 100');
    if (body.documentId !== undefined && (typeof body.documentId !== 'string' || !UUID.test(body.documentId))) throw new HttpError(400, 'InvalidDocumentId', 'documentId must be a UUID');
    assertMayUse(req.apiKey!, body.collection);
    const col = await docs.getCollection(d.pool, body.collection);
    if (!col) return void res.json({ results: [] });
    if (col.model !== d.embedder.model || col.dimensions !== d.embedder.dimensions) {
      throw new HttpError(409, 'EmbeddingMismatch', `collection ${body.collection} holds ${col.model}/${col.dimensions} vectors; this API embeds with ${d.embedder.model}/${d.embedder.dimensions}`);
    }
    const [vector] = await d.embedder.embed([body.query]);
    const hits = await searchChunks(d.pool, d.chroma, { collection: body.collection, vector: vector!, limit, model: col.model, dimensions: col.dimensions, documentId: body.documentId as string | undefined });
    res.json({ results: hits });
  });

  app.use('/v1', v1);
  app.use((_req, _res, next) => next(new HttpError(404, 'NotFound', 'no such route')));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toHttpError(err);
    if (e.status >= 500) d.log.warn('request failed', { path: req.path, code: e.code, ...errorFields(err) });
    res.locals.code = e.code;
    if (res.headersSent) return void res.end();
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    if (e.status === 415) res.setHeader('connection', 'close');
    res.status(e.status).json({ error: { code: e.code, message: e.message } });
    // Not `Connection: close`: that would reset a connection whose body is still arriving, and
    // the reset can destroy the 413 before the client reads it. Up to twice the cap (64 MiB at
    // least) and 30 s of the rest is read and discarded instead.
    if (e.status === 413) drainAfterAnswer(req, { maxBytes: Math.max(2 * d.maxUploadBytes, 64 * 1024 * 1024), maxMs: 30_000 });
  });
  return app;
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof DocumentError && (err.type === 'StoreUnavailable' || err.type === 'EmbeddingUnavailable' || err.type === 'RateLimited')) {
    return new HttpError(503, err.type, err.message, { 'retry-after': '5' });
  }
  if (isUnavailable(err)) return new HttpError(503, 'StoreUnavailable', 'PostgreSQL is unreachable; retry shortly', { 'retry-after': '5' });
  const msg = (err as Error)?.message ?? '';
  if (/enableOfflineQueue|Connection is closed|ECONNREFUSED|Command timed out|Stream isn't writeable/i.test(msg)) {
    return new HttpError(503, 'QueueUnavailable', 'Redis is unreachable; retry shortly', { 'retry-after': '5' });
  }
  const status = (err as { status?: number; statusCode?: number })?.status ?? (err as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return new HttpError(status, 'BadRequest', msg || 'bad request');
  return new HttpError(500, 'Internal', 'internal error');
}
