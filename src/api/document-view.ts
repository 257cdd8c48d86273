// A document as the API answers it: camelCase, numbers as numbers, the error as one object.
import type { DocumentRow, DocumentState } from '../shared/db/document-row.ts';
import type { ErrorType } from '../shared/errors.ts';

export interface DocumentView {
  id: string;
  collection: string;
  sha256: string | null;
  filename: string | null;
  sizeBytes: number | null;
  metadata: Record<string, unknown>;
  job: string | null;
  source: string | null;
  state: DocumentState;
  stage: string | null;
  attempts: number;
  pages: number | null;
  pagesOcr: number | null;
  pagesWithoutText: number | null;
  chunks: number | null;
  error: { type: ErrorType; message: string } | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function toView(r: DocumentRow): DocumentView {
  return {
    id: r.id,
    collection: r.collection,
    sha256: r.sha256,
    filename: r.filename,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    metadata: r.metadata,
    job: r.job,
    source: r.source_uri,
    state: r.state,
    stage: r.stage,
    attempts: r.attempts,
    pages: r.pages,
    pagesOcr: r.pages_ocr,
    pagesWithoutText: r.pages_without_text,
    chunks: r.chunks,
    error: r.error_type ? { type: r.error_type, message: r.error_message ?? '' } : null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}
