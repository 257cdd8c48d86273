// GET /v1/jobs/{id}: what the operator copies into an IngestionJob's status (docs/jobs.md).
import type pg from 'pg';
import { countsByJob, expansionDone, jobStats, lastFailures } from '../shared/db/job-progress.ts';
import { failureOf, type JobRow } from '../shared/db/jobs.ts';
import type { Embedder } from '../shared/embedding/embedder.ts';

export interface JobView {
  id: string;
  collection: string;
  state: string;
  reason: string | null;
  message: string | null;
  failureTarget: { reason: string; message: string } | null;
  specHash: string;
  retryNonce: string | null;
  expansion: { done: boolean; documents: number };
  counts: { total: number; pending: number; queued: number; active: number; succeeded: number; failed: number; skipped: number };
  pages: number;
  pagesOcr: number;
  chunks: number;
  rate: number;
  etaSeconds: number | null;
  startTime: string | null;
  completionTime: string | null;
  embedding: { model: string; dimensions: number };
  lastFailures: { document: string; source: string | null; errorType: string | null; message: string | null; attempts: number }[];
}

export async function jobView(pool: pg.Pool, j: JobRow, embedder: Pick<Embedder, 'model' | 'dimensions'>): Promise<JobView> {
  const [counts, done, stats, failures] = await Promise.all([
    countsByJob(pool, [j.id]).then((m) => m.get(j.id)!),
    expansionDone(pool, j),
    jobStats(pool, j.id),
    lastFailures(pool, j.id),
  ]);
  const total = counts.pending + counts.queued + counts.processing + counts.succeeded + counts.failed + counts.skipped;
  const finished = counts.succeeded + counts.failed + counts.skipped;
  const rate = Math.round((stats.finishedLastMinute / 60) * 1000) / 1000;
  const left = total - finished;
  const eta = left === 0 && done ? 0 : done && rate > 0 ? Math.ceil(left / rate) : null;
  const failure = failureOf(j);
  return {
    id: j.id,
    collection: j.collection,
    state: j.state,
    reason: j.state === 'Failed' ? (failure?.reason ?? j.reason) : j.reason,
    message: j.message,
    failureTarget: failure,
    specHash: j.spec_hash,
    retryNonce: j.retry_nonce,
    expansion: { done, documents: total },
    counts: { total, pending: counts.pending, queued: counts.queued, active: counts.processing, succeeded: counts.succeeded, failed: counts.failed, skipped: counts.skipped },
    pages: stats.pages,
    pagesOcr: stats.pagesOcr,
    chunks: stats.chunks,
    rate,
    etaSeconds: eta,
    startTime: j.started_at?.toISOString() ?? null,
    completionTime: j.completed_at?.toISOString() ?? null,
    embedding: { model: embedder.model, dimensions: embedder.dimensions },
    lastFailures: failures.map((f) => ({ document: f.id, source: f.source_uri, errorType: f.error_type, message: f.error_message, attempts: f.attempts })),
  };
}
