// What a job changes about processing one of its documents: its limits and chunking, where its
// bytes come from, and what happens when its content is already in the collection.
import type pg from 'pg';
import type { ChromaStore } from '../shared/chroma-store.ts';
import type { WorkerConfig } from '../shared/config/data-plane-config.ts';
import { type Claim, setContentHash } from '../shared/db/claims.ts';
import { getCollection } from '../shared/db/collections.ts';
import { deleteDocument } from '../shared/db/document-queries.ts';
import { DocumentError } from '../shared/errors.ts';
import type { DedupPolicy, FailureRule, JobSpec } from '../shared/jobs/job-spec.ts';
import { queuePriority } from '../shared/queue.ts';
import type { S3Credentials } from './fetch/fetch-document.ts';
import type { OcrRequest } from './ocr/ocr-pages.ts';

export interface DocumentSettings {
  retries: number;
  timeoutMs: number;
  chunkSize: number;
  chunkOverlap: number;
  rules: readonly FailureRule[];
  dedup: DedupPolicy;
  /** BullMQ priority of its retries; none for uploads. */
  priority: number | undefined;
  s3: S3Credentials | undefined;
  /** Pages without text to recognise: the cluster's settings, the job's mode and languages. */
  ocr: OcrRequest;
}

type Defaults = Pick<WorkerConfig, 'maxAttempts' | 'documentTimeoutSeconds' | 'chunkSize' | 'chunkOverlap' | 'ocr'>;

/** The worker's settings, overridden by the job's where it has any. */
export function documentSettings(cfg: Defaults, spec: JobSpec | undefined): DocumentSettings {
  const chunkSize = spec?.chunking?.chunkSize ?? cfg.chunkSize;
  // One side overridden may meet the other's default on the wrong side; the splitter needs
  // overlap < size.
  const chunkOverlap = Math.min(spec?.chunking?.chunkOverlap ?? cfg.chunkOverlap, chunkSize - 1);
  const o = spec?.sources.objectStore;
  return {
    retries: spec ? spec.document.retries : cfg.maxAttempts - 1,
    timeoutMs: (spec?.document.timeoutSeconds ?? cfg.documentTimeoutSeconds) * 1000,
    chunkSize,
    chunkOverlap,
    rules: spec?.failurePolicy.rules ?? [],
    dedup: spec?.dedupPolicy ?? 'Skip',
    priority: spec ? queuePriority(spec.priority) : undefined,
    s3: o?.credentials ? { ...o.credentials, ...(o.endpoint ? { endpoint: o.endpoint } : {}), ...(o.region ? { region: o.region } : {}) } : undefined,
    ocr: {
      mode: spec?.ocr?.mode ?? cfg.ocr.mode,
      languages: spec?.ocr?.languages ?? cfg.ocr.languages,
      dpi: cfg.ocr.dpi,
      maxPages: cfg.ocr.maxPagesPerDocument,
      timeoutMs: cfg.ocr.timeoutSecondsPerPage * 1000,
    },
  };
}

export type ContentDecision = { kind: 'proceed' } | { kind: 'skip'; message: string } | { kind: 'lost' };

/**
 * Records the fetched content's hash. The same content already in the collection: with Skip (or
 * when it came from this same job) this document is skipped; with Reindex the older document
 * goes, its chunks first, and this one takes its place.
 */
export async function recordContent(
  pool: pg.Pool,
  chroma: ChromaStore,
  claim: Claim,
  content: { sha256: string; size: number },
  policy: DedupPolicy,
): Promise<ContentDecision> {
  for (let i = 0; i < 3; i++) {
    const r = await setContentHash(pool, claim, content.sha256, content.size);
    if (r.kind !== 'duplicate') return r.kind === 'set' ? { kind: 'proceed' } : { kind: 'lost' };
    const other = r.existing;
    if (policy === 'Skip' || (other.job !== null && other.job === claim.doc.job)) return { kind: 'skip', message: `the same content as document ${other.id}` };
    const col = await getCollection(pool, other.collection);
    const outcome = await deleteDocument(pool, other.id, async () => {
      if (col) await chroma.deleteDocument(other.collection, other.id, col.model, col.dimensions);
    });
    // Transient: retried with backoff once the other document has finished.
    if (outcome === 'processing') throw new DocumentError('Unknown', `document ${other.id} with the same content is being processed; reindexing after it`);
  }
  throw new DocumentError('Unknown', 'documents with the same content kept appearing while reindexing; retrying');
}
