// Migrating at start, waiting for PostgreSQL rather than failing: a pod started before its
// database (a fresh install, a restarted database) keeps trying instead of crash-looping.
import type pg from 'pg';
import { errorFields, type Logger } from '../logger.ts';
import { migrate } from './migrations.ts';

/** Retries until it migrates, or until the pool is ended (the process is stopping). */
export async function migrateUntilDone(pool: pg.Pool, log: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(pool);
      return;
    } catch (err) {
      if (pool.ended) throw err;
      log.warn('migration failed; retrying', { attempt, ...errorFields(err) });
      await new Promise((r) => setTimeout(r, Math.min(10_000, attempt * 1000)));
    }
  }
}
