// Jobs stored before credentials were sealed hold them in plain text in jobs.spec; an API with
// the cluster's key moves them into jobs.sealed_credentials when it starts.
import type pg from 'pg';
import type { CredentialSealer } from '../jobs/credential-sealer.ts';
import { sealSpec } from '../jobs/job-credentials.ts';
import { getJob } from './jobs.ts';
import { withTransaction } from './transaction.ts';

/** Seals every job's plain-text credentials, one job per transaction; returns how many. */
export async function sealStoredCredentials(pool: pg.Pool, sealer: CredentialSealer): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM jobs WHERE spec->'sources'->'objectStore' ? 'credentials'`);
  let sealed = 0;
  for (const { id } of rows) {
    await withTransaction(pool, async (c) => {
      const row = await getJob(c, id, 'FOR UPDATE');
      if (!row?.spec.sources.objectStore?.credentials) return;
      const stored = sealSpec(id, row.spec, sealer);
      await c.query('UPDATE jobs SET spec = $2, sealed_credentials = $3 WHERE id = $1', [id, JSON.stringify(stored.spec), stored.sealed]);
      sealed++;
    });
  }
  return sealed;
}
