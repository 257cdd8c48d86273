// One document from claim to outcome: fetch a job document's bytes into PostgreSQL (and
// deduplicate), load them, parse in the limited child, chunk, embed, replace its chunks in
// Chroma, and record the outcome under the claim's fence; a failure goes through the failure
// policy of the document's job (or the worker's defaults for an upload).
import type pg from 'pg';
import type { Queue } from 'bullmq';
import type { ChromaStore } from '../shared/chroma-store.ts';
import { chunkPages } from '../shared/chunking.ts';
import type { WorkerConfig } from '../shared/config/data-plane-config.ts';
import { type Claim, claimDocument, completeClaim, failClaim, handBackClaim, markMayHaveChunks, retryClaim, skipClaim, touchClaim } from '../shared/db/claims.ts';
import { ensureCollection } from '../shared/db/collections.ts';
import { deleteParts, hasBytes, loadBytes } from '../shared/db/document-bytes.ts';
import { savePages, setOcrPages } from '../shared/db/document-pages.ts';
import { checkFailureBudget, getJob, type JobRow, setFailureTarget, stopStarting } from '../shared/db/jobs.ts';
import { isUnavailable } from '../shared/db/pool.ts';
import type { Embedder } from '../shared/embedding/embedder.ts';
import { backoffMs } from '../shared/backoff.ts';
import { DocumentError } from '../shared/errors.ts';
import { decideFailure } from '../shared/jobs/failure-policy.ts';
import { errorFields, type Logger } from '../shared/logger.ts';
import { enqueueDocument, type DocumentJobData } from '../shared/queue.ts';
import { fetchDocument } from './fetch/fetch-document.ts';
import { storeFetched } from './fetch-into-store.ts';
import { documentSettings, recordContent, type DocumentSettings } from './job-document.ts';
import type { CredentialSealer } from '../shared/jobs/credential-sealer.ts';
import { openSpec } from '../shared/jobs/job-credentials.ts';
import { recordOcr, type WorkerMetrics } from './metrics.ts';
import { chunkTextSource, pageCounts, pageRecords } from './page-sources.ts';
import type { ParserPool } from './parser.ts';
import type { StoreBatcher } from './store-batcher.ts';

export interface ProcessDeps {
  cfg: WorkerConfig;
  pool: pg.Pool;
  queue: Queue<DocumentJobData>;
  chroma: ChromaStore;
  embedder: Embedder;
  metrics: WorkerMetrics;
  log: Logger;
  parsers: ParserPool;
  storeBatcher: StoreBatcher;
  /** Opens a job's sealed credentials where its document is fetched. */
  sealer: CredentialSealer | undefined;
}

/** `skipped`: not claimed (a duplicate delivery); `deduplicated` and `ignored` end `skipped` in PostgreSQL. */
export type Outcome = 'succeeded' | 'failed' | 'retried' | 'handed_back' | 'skipped' | 'deduplicated' | 'ignored' | 'lost';

export class ClaimLostError extends Error {
  override name = 'ClaimLost';
}

/**
 * `shutdown` aborts when the worker must hand its documents back (grace period running out);
 * the claim is then returned to the queue without spending an attempt.
 */
export async function processDocument(deps: ProcessDeps, documentId: string, shutdown: AbortSignal): Promise<Outcome> {
  const { cfg, pool, log } = deps;
  const claim = await claimDocument(pool, documentId, cfg.workerId, cfg.staleSeconds);
  if (!claim) return 'skipped';
  const dlog = log.child({ documentId, attempt: claim.attempt, collection: claim.doc.collection });
  const abort = new AbortController();
  const onShutdown = () => abort.abort(new Error('shutdown'));
  shutdown.addEventListener('abort', onShutdown, { once: true });
  let lost = false;
  const beat = setInterval(
    () => {
      touchClaim(pool, claim).then(
        (ok) => {
          if (!ok && !lost) {
            lost = true;
            abort.abort(new ClaimLostError('claim lost'));
          }
        },
        (err: unknown) => dlog.warn('heartbeat failed', errorFields(err)),
      );
    },
    Math.max(500, Math.min(5_000, (cfg.staleSeconds * 1000) / 3)),
  );
  deps.metrics.active.inc();
  // The job as it is now: its policy may have changed since the document was queued.
  let job: JobRow | undefined;
  let ds: DocumentSettings = documentSettings(cfg, undefined);
  try {
    job = claim.doc.job === null ? undefined : await getJob(pool, claim.doc.job);
    ds = documentSettings(cfg, job && openSpec(job, deps.sealer));
    const timed = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
      if (abort.signal.aborted) throw abort.signal.reason;
      await touchClaim(pool, claim, stage);
      const end = deps.metrics.stageSeconds.startTimer({ stage });
      try {
        return await fn();
      } finally {
        end();
      }
    };
    if (claim.doc.source_uri !== null && (claim.doc.sha256 === null || !(await hasBytes(pool, documentId)))) {
      const uri = claim.doc.source_uri;
      const decision = await timed('download', async () => {
        const content = await storeFetched(pool, documentId, await fetchDocument(uri, cfg.fetch, { signal: abort.signal, ...(ds.s3 ? { s3: ds.s3 } : {}) }));
        return recordContent(pool, deps.chroma, claim, content, ds.dedup);
      });
      if (decision.kind === 'lost') return 'lost';
      if (decision.kind === 'skip') {
        if (!(await skipClaim(pool, claim, null, decision.message))) return 'lost';
        await deleteParts(pool, documentId);
        deps.metrics.documents.inc({ outcome: 'skipped', error_type: '' });
        dlog.info('document skipped', { reason: decision.message });
        return 'deduplicated';
      }
    }
    // Held only until the parser has it: a 90 MB PDF must not stay referenced through embed and store.
    let bytes: Buffer | undefined = await timed('fetch', () => loadBytes(pool, documentId));
    const parsed = await timed('parse', () => {
      const input = bytes!;
      bytes = undefined;
      const limits = { timeoutMs: ds.timeoutMs, memoryMiB: cfg.parserMemoryMiB, maxPages: cfg.maxPages, maxChars: cfg.maxChars, ocr: ds.ocr };
      // The autoscaler counts the pages being recognised (the queue summary adds them up).
      const onOcrStart = (pages: number) => {
        void touchClaim(pool, claim, 'ocr').catch(() => undefined);
        void setOcrPages(pool, claim, pages).catch((err: unknown) => dlog.warn('could not record the pages being recognised', errorFields(err)));
      };
      return deps.parsers.parse(input, { ...limits, onOcrStart }, abort.signal);
    });
    deps.metrics.pages.inc(parsed.totalPages);
    recordOcr(deps.metrics, parsed.ocr);
    const sources = new Map(parsed.pages.map((p) => [p.page, p.source]));
    const chunks = await timed('chunk', async () =>
      (await chunkPages(parsed.pages, ds.chunkSize, ds.chunkOverlap)).map((c) => ({ ...c, textSource: chunkTextSource(c, sources) })),
    );
    const { model, dimensions } = deps.embedder;
    const recorded = await ensureCollection(pool, claim.doc.collection, model, dimensions, cfg.searchLanguage);
    if (recorded.model !== model || recorded.dimensions !== dimensions) {
      throw new DocumentError(
        'EmbeddingMismatch',
        `collection ${claim.doc.collection} was created with ${recorded.model}/${recorded.dimensions}; this worker embeds with ${model}/${dimensions}`,
      );
    }
    const vectors = await timed('embed', () => deps.embedder.embed(chunks.map((c) => c.text)));
    await timed('store', async () => {
      // A reindex, or an earlier attempt that died while storing, may have left chunks behind
      // (possibly more than this attempt writes): those go first.
      if (claim.doc.may_have_chunks) await deps.storeBatcher.removeDocument(claim.doc.collection, documentId, model, dimensions);
      else if (!(await markMayHaveChunks(pool, claim))) throw new ClaimLostError('claim lost before storing');
      await deps.storeBatcher.write(claim.doc.collection, documentId, chunks, vectors, model, dimensions);
    });
    await savePages(pool, documentId, pageRecords(parsed.pages));
    if (!(await completeClaim(pool, claim, parsed.totalPages, chunks.length, pageCounts(parsed.pages)))) return 'lost';
    deps.metrics.documents.inc({ outcome: 'succeeded', error_type: '' });
    dlog.info('document succeeded', { pages: parsed.totalPages, chunks: chunks.length });
    return 'succeeded';
  } catch (err) {
    if (lost || err instanceof ClaimLostError) return 'lost';
    if (shutdown.aborted) {
      await handBackClaim(pool, claim);
      deps.metrics.documents.inc({ outcome: 'handed_back', error_type: '' });
      dlog.info('document handed back on shutdown');
      return 'handed_back';
    }
    const e =
      err instanceof DocumentError
        ? err
        : isUnavailable(err)
          ? new DocumentError('StoreUnavailable', `postgres: ${(err as Error).message}`, { cause: err })
          : new DocumentError('Unknown', (err as Error)?.message ?? String(err), { cause: err });
    return await settleFailure(deps, claim, job, ds, e, dlog);
  } finally {
    clearInterval(beat);
    shutdown.removeEventListener('abort', onShutdown);
    deps.metrics.active.dec();
  }
}

/** A failed attempt, through the failure policy of the document's job. */
async function settleFailure(deps: ProcessDeps, claim: Claim, job: JobRow | undefined, ds: DocumentSettings, e: DocumentError, dlog: Logger): Promise<Outcome> {
  const { pool } = deps;
  const decision = decideFailure({ errorType: e.type, permanent: e.permanent, attempt: claim.attempt, retries: ds.retries, rules: ds.rules });
  if (decision === 'Retry') {
    const delay = backoffMs(claim.attempt, 1_000, 60_000);
    await retryClaim(pool, claim, e.type, e.message, delay);
    // Read after the retry is queued: a job suspended or failing since must not start it again
    // (the PUT or failure that changed it moved queued documents back before, or does after).
    const now = job && (await getJob(pool, job.id));
    if (now && (now.spec.suspend || now.failure_reason || now.deleting)) await stopStarting(pool, now.id);
    else await enqueueDocument(deps.queue, claim.doc.id, claim.attempt, delay, ds.priority).catch((qerr: unknown) =>
      dlog.warn('could not enqueue the retry; the sweeper will', errorFields(qerr)),
    );
    deps.metrics.documents.inc({ outcome: 'retried', error_type: e.type });
    dlog.warn('document will be retried', { errorType: e.type, err: e.message, delayMs: delay });
    return 'retried';
  }
  if (decision === 'Ignore') {
    await skipClaim(pool, claim, e.type, e.message);
    deps.metrics.documents.inc({ outcome: 'skipped', error_type: e.type });
    dlog.info('document failure ignored by the job\'s failure policy', { errorType: e.type, err: e.message });
    return 'ignored';
  }
  if (!(await failClaim(pool, claim, e.type, e.message))) return 'lost';
  deps.metrics.documents.inc({ outcome: 'failed', error_type: e.type });
  dlog.warn('document failed', { errorType: e.type, err: e.message });
  if (job) {
    if (decision === 'FailJob') {
      await setFailureTarget(pool, job.id, { reason: 'FailJobRule', message: `document ${claim.doc.id} (${claim.doc.source_uri ?? claim.doc.filename ?? ''}) failed with ${e.type}: ${e.message}` });
    } else await checkFailureBudget(pool, job);
  }
  return 'failed';
}
