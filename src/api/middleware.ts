// The middleware every keyed route runs through: request metrics and the access log, the API key,
// and the per-key rate limit.
import type { NextFunction, RequestHandler, Response } from 'express';
import { errorFields } from '../shared/logger.ts';
import type { AppDeps, Authed } from './app-deps.ts';
import { authenticate, presentedKey } from './auth.ts';
import { HttpError } from './http-error.ts';
import { takeToken } from './rate-limit.ts';

/** Counts and times every request by route, and logs it (health checks excepted). */
export function requestMetrics(deps: Pick<AppDeps, 'metrics' | 'log'>): RequestHandler {
  return (req, res, next) => {
    const end = deps.metrics.duration.startTimer();
    const started = Date.now();
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      end({ method: req.method, route });
      deps.metrics.requests.inc({ method: req.method, route, status: String(res.statusCode), code: String(res.locals.code ?? '') });
      if (route !== '/healthz' && route !== '/readyz') {
        deps.log.info('request', { method: req.method, path: req.path, route, status: res.statusCode, ms: Date.now() - started, key: (req as Authed).apiKey?.name });
      }
    });
    next();
  };
}

/** Refuses a request without a known key (401); otherwise sets `req.apiKey`. */
export function requireKey(deps: Pick<AppDeps, 'keys'>) {
  return (req: Authed, _res: Response, next: NextFunction) => {
    const keys = deps.keys();
    if (keys === null) return next(new HttpError(401, 'Unauthenticated', 'no API keys are configured (SLUICE_API_KEYS_FILE); only health endpoints answer'));
    const key = authenticate(keys, presentedKey(req.headers));
    if (!key) return next(new HttpError(401, 'Unauthenticated', 'missing or unknown API key: send Authorization: Bearer <key>'));
    req.apiKey = key;
    next();
  };
}

/** At most `rateLimitPerMinute` requests a minute per key (429 with Retry-After beyond). */
export function rateLimit(deps: Pick<AppDeps, 'redis' | 'metrics' | 'log' | 'rateLimitPerMinute'>) {
  return async (req: Authed, res: Response, next: NextFunction) => {
    if (deps.rateLimitPerMinute <= 0) return next();
    let r: Awaited<ReturnType<typeof takeToken>>;
    try {
      r = await takeToken(deps.redis, req.apiKey!.name, deps.rateLimitPerMinute);
    } catch (err) {
      // Fail open: while Redis is unreachable the limit is not enforced, rather than refusing
      // every request (an outage of the limiter should not become an outage of the API).
      deps.metrics.rateLimitUnavailable.inc();
      deps.log.warn('rate limit not enforced: redis unreachable', errorFields(err));
      return next();
    }
    res.setHeader('x-ratelimit-limit', String(deps.rateLimitPerMinute));
    res.setHeader('x-ratelimit-remaining', String(r.remaining));
    if (!r.allowed) return next(new HttpError(429, 'RateLimited', `more than ${deps.rateLimitPerMinute} requests this minute for key ${req.apiKey!.name}`, { 'retry-after': String(r.retryAfterSeconds) }));
    next();
  };
}
