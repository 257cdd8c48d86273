// Turns jobs' sources into `pending` documents a page at a time, under a PostgreSQL advisory
// lock so one expander runs across replicas. Resumable: the cursor is saved with each page, so
// a worker that dies mid-source costs at most a page read twice (and adds nothing twice).
import type pg from 'pg';
import { jobsToExpand, savePage } from '../shared/db/expansion.ts';
import { setFailureTarget } from '../shared/db/jobs.ts';
import { DocumentError } from '../shared/errors.ts';
import type { CredentialSealer } from '../shared/jobs/credential-sealer.ts';
import { openSpec } from '../shared/jobs/job-credentials.ts';
import { sourceKey } from '../shared/jobs/job-spec.ts';
import type { FetchSettings } from '../shared/config/fetch-settings.ts';
import { displayName, readSourcePage } from './job-sources.ts';

export interface ExpandDeps {
  pool: pg.Pool;
  fetch: FetchSettings;
  signal: AbortSignal;
  /** Opens jobs' sealed credentials, to list their object stores. */
  sealer: CredentialSealer | undefined;
  /** Jobs whose source failed transiently, and when to try again. */
  backoff: Map<string, number>;
  onError(jobId: string, err: unknown): void;
}

const LOCK = `hashtext(current_schema() || ':sluice-expander')`;
/** Work per call before the lock is let go. */
const BUDGET_MS = 2_000;
const RETRY_MS = 5_000;

export async function expandOnce(deps: ExpandDeps): Promise<{ ran: boolean; pages: number }> {
  const client = await deps.pool.connect();
  let pages = 0;
  try {
    if (!(await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS locked`)).rows[0]?.locked) return { ran: false, pages };
    try {
      const until = Date.now() + BUDGET_MS;
      for (const job of await jobsToExpand(deps.pool)) {
        if ((deps.backoff.get(job.id) ?? 0) > Date.now()) continue;
        let cursor = job.cursor;
        while (Date.now() < until && !deps.signal.aborted) {
          let page: Awaited<ReturnType<typeof readSourcePage>>;
          try {
            page = await readSourcePage(openSpec(job, deps.sealer), cursor, deps.fetch, deps.signal);
          } catch (err) {
            if (deps.signal.aborted) throw err;
            deps.onError(job.id, err);
            // A source that can never be read fails the job; anything else is tried again.
            if (err instanceof DocumentError && err.permanent) {
              await setFailureTarget(deps.pool, job.id, { reason: 'SourceFailed', message: `${job.source_kind}: ${err.message}` });
            } else deps.backoff.set(job.id, Date.now() + RETRY_MS);
            break;
          }
          const docs = page.entries.map((e) => ({
            uri: e.uri,
            key: sourceKey(e.uri),
            filename: displayName(e),
            metadata: { ...job.spec.metadata, ...e.metadata },
          }));
          if (!(await savePage(deps.pool, job, job.spec_hash, docs, page.next))) break;
          pages++;
          deps.backoff.delete(job.id);
          if (page.next === null) break;
          cursor = page.next;
        }
        if (Date.now() >= until) break;
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${LOCK})`);
    }
  } finally {
    client.release();
  }
  return { ran: true, pages };
}
