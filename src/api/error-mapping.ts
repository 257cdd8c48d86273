// What a failed request answers: an HttpError as it is; a store that cannot be reached as 503
// with Retry-After; anything else as 500 without its details.
import type { NextFunction, Request, Response } from 'express';
import { isUnavailable } from '../shared/db/pool.ts';
import { DocumentError } from '../shared/errors.ts';
import { errorFields } from '../shared/logger.ts';
import type { AppDeps } from './app-deps.ts';
import { drainAfterAnswer } from './early-answer.ts';
import { HttpError } from './http-error.ts';

export function toHttpError(err: unknown): HttpError {
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

/** The last middleware: answers `{ error: { code, message } }` for any error a route threw. */
export function errorAnswer(deps: Pick<AppDeps, 'log' | 'maxUploadBytes'>) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toHttpError(err);
    if (e.status >= 500) deps.log.warn('request failed', { path: req.path, code: e.code, ...errorFields(err) });
    res.locals.code = e.code;
    if (res.headersSent) return void res.end();
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    if (e.status === 415) res.setHeader('connection', 'close');
    res.status(e.status).json({ error: { code: e.code, message: e.message } });
    // Not `Connection: close`: that would reset a connection whose body is still arriving, and
    // the reset can destroy the 413 before the client reads it. Up to twice the cap (64 MiB at
    // least) and 30 s of the rest is read and discarded instead.
    if (e.status === 413) drainAfterAnswer(req, { maxBytes: Math.max(2 * deps.maxUploadBytes, 64 * 1024 * 1024), maxMs: 30_000 });
  };
}
