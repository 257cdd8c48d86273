// PostgreSQL pools. Errors on clients (a restarted server) are logged, never thrown,
// so a lost database makes requests fail with 503 instead of crashing the process.
import pg from 'pg';
import type { Logger } from '../logger.ts';

export type Pool = pg.Pool;

/**
 * `waitMs` bounds the wait for a free pooled connection as well as for a new one: a refused
 * connection still fails at once, so an unreachable server is a fast 503 either way.
 */
export function createPool(connectionString: string, log: Logger, max = 10, waitMs = 3_000): pg.Pool {
  const withOption = withJitOff(connectionString);
  // A string URL cannot read (a socket URL without a host) gets the option beside it: pg takes
  // it when the string names no options of its own.
  const jit = withOption === connectionString ? { options: JIT_OFF } : {};
  // query_timeout: a connection that goes silent mid-query (a black-holed network) fails the
  // query instead of holding it for ever.
  const pool = new pg.Pool({ connectionString: withOption, ...jit, max, connectionTimeoutMillis: waitMs, idleTimeoutMillis: 30_000, query_timeout: 60_000 });
  pool.on('error', (err) => log.warn('postgres idle client error', { err: err.message }));
  // A client checked out between two queries (a transaction's, the dispatcher's every 500 ms)
  // has no pool listener: without its own, a lost connection is an unhandled 'error' event that
  // kills the process. Its next query fails instead, and release() drops it.
  pool.on('connect', (client) => {
    client.on('error', (err) => log.warn('postgres client error', { err: err.message }));
  });
  return pool;
}

const JIT_OFF = '-c jit=off';

/**
 * The connection string with `-c jit=off` among its startup options (beside a search_path it may
 * set): the data plane runs short queries only, and JIT compilation, which a server starts for
 * any query it estimates dear, cost more than every search it was compiled for. A startup option
 * rather than a `SET` on connect, which would race the pool's first query on the connection.
 */
export function withJitOff(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return connectionString;
  }
  const options = url.searchParams.get('options');
  url.searchParams.set('options', options ? `${options} ${JIT_OFF}` : JIT_OFF);
  return url.toString();
}

/** Errors that mean "the database is not reachable right now" rather than a bad query. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  return /timeout|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error|not queryable/i.test(err.message);
}
