// A document's row: PostgreSQL is the source of truth, and the queue only says "look at document X".
import type { ErrorType } from '../errors.ts';

// `pending`: a job's document not yet dispatched; `skipped`: a duplicate or an ignored failure.
export const DOCUMENT_STATES = ['uploading', 'pending', 'queued', 'processing', 'succeeded', 'failed', 'skipped'] as const;
export type DocumentState = (typeof DOCUMENT_STATES)[number];

/** The states a caller may list documents by: every one but `uploading`, which is not a document yet. */
export const LISTED_STATES = DOCUMENT_STATES.filter((s): s is Exclude<DocumentState, 'uploading'> => s !== 'uploading');

export interface DocumentRow {
  id: string;
  collection: string;
  sha256: string | null;
  filename: string | null;
  size_bytes: string | null;
  metadata: Record<string, unknown>;
  job: string | null;
  api_key: string | null;
  idempotency_key: string | null;
  state: DocumentState;
  stage: string | null;
  attempts: number;
  pages: number | null;
  chunks: number | null;
  /** Pages whose text OCR recognised, and pages left without text; null before it succeeded. */
  pages_ocr: number | null;
  pages_without_text: number | null;
  error_type: ErrorType | null;
  error_message: string | null;
  worker_id: string | null;
  heartbeat_at: Date | null;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  may_have_chunks: boolean;
  /** Where a job's document is fetched from; null for uploads. */
  source_uri: string | null;
  source_key: string | null;
}
