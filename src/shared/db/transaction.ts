// One transaction on one connection: BEGIN, the work, COMMIT; on an error ROLLBACK (its own
// failure ignored) and the error rethrown. Work that finds it has nothing to do returns
// `rollback(value)` to end the transaction with ROLLBACK and still give `value` back.
import type pg from 'pg';

export class Rollback<T> {
  readonly value: T;
  constructor(value: T) {
    this.value = value;
  }
}

/** Ends the transaction with ROLLBACK instead of COMMIT; `withTransaction` returns `value`. */
export function rollback<T>(value: T): Rollback<T> {
  return new Rollback(value);
}

/** Runs `fn` in a transaction on `client`, which stays the caller's (a session lock it holds is kept). */
export async function inTransaction<T>(client: pg.PoolClient, fn: (client: pg.PoolClient) => Promise<T | Rollback<T>>): Promise<T> {
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    if (result instanceof Rollback) {
      await client.query('ROLLBACK');
      return result.value as T;
    }
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Runs `fn` in a transaction on a connection of `pool`, released afterwards whatever happens. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T | Rollback<T>>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, fn);
  } finally {
    client.release();
  }
}
