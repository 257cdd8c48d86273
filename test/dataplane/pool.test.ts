// The data plane's pools: every connection starts with JIT off, keeping the options the URL
// already gives (the schema of a test, or of a deployment), and PostgreSQL sees them at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.ts';
import { createPool, withJitOff } from '../../src/shared/db/pool.ts';
import { createSchema } from './support/stack.ts';

let schema: Awaited<ReturnType<typeof createSchema>>;
beforeAll(async () => {
  schema = await createSchema();
});
afterAll(async () => {
  await schema?.drop();
});

describe('a pool of the data plane', () => {
  it('adds jit=off to the startup options, after those of the URL', () => {
    expect(new URL(withJitOff('postgres://u@db:5432/app')).searchParams.get('options')).toBe('-c jit=off');
    const both = new URL(withJitOff('postgres://u@db/app?options=-c%20search_path%3Dt1&sslmode=disable'));
    expect(both.searchParams.get('options')).toBe('-c search_path=t1 -c jit=off');
    expect(both.searchParams.get('sslmode')).toBe('disable');
  });

  it('runs its first queries, at once and on each connection, with JIT off and the schema of its URL', async () => {
    // A query sent on connect would overlap the pool's own: pg warns of it, and pg 9 refuses it.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const pool = createPool(schema.url, createLogger({ test: 'pool' }, 'error'), 4);
    try {
      const rows = await Promise.all(Array.from({ length: 8 }, () => pool.query<{ jit: string; schema: string }>(`SELECT current_setting('jit') AS jit, current_schema() AS schema`)));
      for (const r of rows) expect(r.rows[0]).toEqual({ jit: 'off', schema: schema.schema });
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => /client\.query\(\)/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await pool.end();
    }
  });

  it('gives the option beside a connection string URL cannot read, which pg still can', async () => {
    const base = new URL(schema.url);
    const hostless = `postgres://${base.username}@/${base.pathname.slice(1)}?host=${base.hostname}&port=${base.port || 5432}`;
    expect(() => new URL(hostless)).toThrow();
    const pool = createPool(hostless, createLogger({ test: 'pool' }, 'error'), 1);
    try {
      expect((await pool.query<{ jit: string }>(`SELECT current_setting('jit') AS jit`)).rows[0]).toEqual({ jit: 'off' });
    } finally {
      await pool.end();
    }
  });
});
