// The HTTP app of the upload and search API: health, the API's description, and the keyed,
// rate-limited /v1 routes (documents, search, jobs), then the error answer.
import express from 'express';
import type { AppDeps } from './app-deps.ts';
import { createDocumentsRouter } from './document-routes.ts';
import { errorAnswer } from './error-mapping.ts';
import { HttpError } from './http-error.ts';
import { createJobsRouter } from './jobs-routes.ts';
import { rateLimit, requestMetrics, requireKey } from './middleware.ts';
import { openApiDocument } from './openapi.ts';
import { createSearchRouter } from './search-routes.ts';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestMetrics(deps));

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.allSettled([deps.pool.query('SELECT 1'), deps.redis.ping()]);
    const [pgOk, redisOk] = checks.map((c) => c.status === 'fulfilled');
    res.status(pgOk && redisOk ? 200 : 503).json({ postgres: pgOk ? 'ok' : 'unreachable', redis: redisOk ? 'ok' : 'unreachable' });
  });
  // Any valid key may read the API's description; only health answers without one.
  app.get('/openapi.json', requireKey(deps), (_req, res) => void res.json(openApiDocument()));

  const v1 = express.Router();
  v1.use(requireKey(deps), rateLimit(deps));
  v1.use(createJobsRouter(deps));
  v1.use(createDocumentsRouter(deps));
  v1.use(createSearchRouter(deps));
  app.use('/v1', v1);

  app.use((_req, _res, next) => next(new HttpError(404, 'NotFound', 'no such route')));
  app.use(errorAnswer(deps));
  return app;
}
