// withTransaction: the work commits, an error rolls it back and is rethrown, rollback(value) undoes
// the work and still answers, and the connection always goes back to the pool.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction, rollback, withTransaction } from '../../src/shared/db/transaction.ts';
import { createSchema } from './support/stack.ts';

let pool: pg.Pool;
let drop: () => Promise<void>;

beforeAll(async () => {
  const schema = await createSchema();
  drop = schema.drop;
  pool = new pg.Pool({ connectionString: schema.url, max: 2 });
  await pool.query('CREATE TABLE t (v int)');
});
afterAll(async () => {
  await pool?.end();
  await drop?.();
});
beforeEach(async () => {
  await pool.query('TRUNCATE t');
});

const values = async () => (await pool.query<{ v: number }>('SELECT v FROM t ORDER BY v')).rows.map((r) => r.v);
const allIdle = () => pool.idleCount === pool.totalCount;

describe('withTransaction', () => {
  it('commits the work and returns its value', async () => {
    const r = await withTransaction(pool, async (c) => {
      await c.query('INSERT INTO t VALUES (1), (2)');
      return 'done';
    });
    expect(r).toBe('done');
    expect(await values()).toEqual([1, 2]);
    expect(allIdle()).toBe(true);
  });

  it('rolls back and rethrows the error of the work', async () => {
    const boom = new Error('boom');
    await expect(
      withTransaction(pool, async (c) => {
        await c.query('INSERT INTO t VALUES (1)');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await values()).toEqual([]);
    expect(allIdle()).toBe(true);
  });

  it('rolls back on rollback(value) and returns the value', async () => {
    const r = await withTransaction(pool, async (c) => {
      await c.query('INSERT INTO t VALUES (1)');
      return rollback('refused');
    });
    expect(r).toBe('refused');
    expect(await values()).toEqual([]);
    expect(allIdle()).toBe(true);
  });

  it('releases a connection whose query failed, and the pool still serves', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(withTransaction(pool, (c) => c.query('SELECT * FROM missing_table'))).rejects.toThrow(/missing_table/);
    }
    expect(allIdle()).toBe(true);
    expect(await withTransaction(pool, async (c) => (await c.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n)).toBe(1);
  });
});

describe('inTransaction', () => {
  it('runs on the caller’s connection and leaves it the caller’s', async () => {
    const client = await pool.connect();
    try {
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      const inside = await inTransaction(client, async (c) => {
        await c.query('INSERT INTO t VALUES (3)');
        return (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      });
      expect(inside).toBe(pid);
      // Committed: another connection sees the row while this one is still held.
      expect(await values()).toEqual([3]);
      expect((await client.query('SELECT 1')).rowCount).toBe(1);
    } finally {
      client.release();
    }
  });
});
