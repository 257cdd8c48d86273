// An IngestionJob as the data plane stores it: the body of PUT /v1/jobs/{id} (docs/jobs.md)
// with defaults filled in. Credentials are part of it and never leave the API again.
import { createHash } from 'node:crypto';
import type { ErrorType } from '../errors.ts';
import type { FAILURE_ACTIONS } from '../../crd/ingestion-job.ts';
import type { OcrLanguage, OcrMode } from '../../crd/ocr.ts';
import { stableStringify } from '../stable-stringify.ts';

export type FailureAction = (typeof FAILURE_ACTIONS)[number];
export type DedupPolicy = 'Skip' | 'Reindex';
export const SOURCE_KINDS = ['inline', 'manifest', 'objectStore'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export const JOB_STATES = ['Pending', 'Running', 'Suspended', 'Complete', 'Failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface SourceEntry {
  uri: string;
  name?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface ObjectStoreSource {
  endpoint?: string | undefined;
  bucket: string;
  prefix: string;
  region?: string | undefined;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export interface JobSources {
  inline?: SourceEntry[] | undefined;
  manifest?: { url?: string | undefined; content?: string | undefined } | undefined;
  objectStore?: ObjectStoreSource | undefined;
}

export interface FailureRule {
  action: FailureAction;
  onErrorTypes: ErrorType[];
}

export interface FailurePolicy {
  maxFailedDocuments?: number | undefined;
  maxFailedPercent?: number | undefined;
  rules: FailureRule[];
}

export interface JobSpec {
  collection: string;
  sources: JobSources;
  metadata: Record<string, string>;
  dedupPolicy: DedupPolicy;
  parallelism: number;
  priority: number;
  suspend: boolean;
  activeDeadlineSeconds?: number | undefined;
  document: { retries: number; timeoutSeconds?: number | undefined };
  failurePolicy: FailurePolicy;
  chunking?: { chunkSize?: number | undefined; chunkOverlap?: number | undefined } | undefined;
  embedding?: { model?: string | undefined; dimensions?: number | undefined } | undefined;
  ocr?: { mode?: OcrMode | undefined; languages?: OcrLanguage[] | undefined } | undefined;
  retryNonce?: string | undefined;
  ttlSecondsAfterFinished?: number | undefined;
}

export function sourceKindOf(s: JobSources): SourceKind {
  if (s.inline) return 'inline';
  if (s.manifest) return 'manifest';
  return 'objectStore';
}

/** The hash the operator compares with its own: sha256 hex of the body's canonical JSON. */
export function specHash(body: unknown): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

/**
 * The unique key of a document within its job. The URI itself, so that re-expanding a source
 * adds nothing twice; very long URIs are hashed to stay within an index entry.
 */
export function sourceKey(uri: string): string {
  return uri.length <= 1024 ? uri : `sha256:${createHash('sha256').update(uri).digest('hex')}`;
}
