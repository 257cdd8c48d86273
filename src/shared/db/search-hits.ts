// What a search answers for each chunk it found: the chunk's text and pages, its document's
// name, source, job and metadata, and how many documents of the collection hold the same text.
import type { Queryable } from './queryable.ts';

export interface HitDetails {
  documentId: string;
  chunkIndex: number;
  filename: string | null;
  source: string | null;
  job: string | null;
  metadata: Record<string, unknown>;
  /** Null for a chunk not in PostgreSQL yet (a collection being backfilled). */
  text: string | null;
  /** Null also for a chunk written before migration 6 and not yet backfilled. */
  pages: { start: number; end: number } | null;
  /** Documents of the collection holding the same text; 1 when not known yet. */
  sharedByDocuments: number;
  /** ocr when the text of a page the chunk spans was recognised. */
  textSource: 'native' | 'ocr';
}

/**
 * The details of the given chunks of `collection` (both legs of a search only find its own), in
 * their order; a chunk whose document is gone is left out. Joined by primary keys alone: a
 * condition on the collection let a planner without statistics read all its documents.
 */
export async function loadHitDetails(db: Queryable, collection: string, chunks: readonly { documentId: string; chunkIndex: number }[]): Promise<HitDetails[]> {
  if (chunks.length === 0) return [];
  const { rows } = await db.query<{
    document_id: string;
    chunk_index: number;
    filename: string | null;
    source_uri: string | null;
    job: string | null;
    metadata: Record<string, unknown>;
    text: string | null;
    page_start: number | null;
    page_end: number | null;
    shared: number | null;
    text_source: 'native' | 'ocr' | null;
  }>(
    `SELECT u.document_id, u.chunk_index, d.filename, d.source_uri, d.job, d.metadata, c.text, c.page_start, c.page_end, c.text_source,
            (SELECT count(DISTINCT x.document_id) FROM chunk_texts x WHERE x.collection = $1 AND x.content_sha256 = c.content_sha256)::int AS shared
       FROM unnest($2::uuid[], $3::int[]) WITH ORDINALITY AS u (document_id, chunk_index, ord)
       JOIN documents d ON d.id = u.document_id
       LEFT JOIN chunk_texts c ON c.document_id = u.document_id AND c.chunk_index = u.chunk_index
      ORDER BY u.ord`,
    [collection, chunks.map((c) => c.documentId), chunks.map((c) => c.chunkIndex)],
  );
  return rows.map((r) => ({
    documentId: r.document_id,
    chunkIndex: r.chunk_index,
    filename: r.filename,
    source: r.source_uri,
    job: r.job,
    metadata: r.metadata,
    text: r.text,
    pages: r.page_start !== null && r.page_end !== null ? { start: r.page_start, end: r.page_end } : null,
    sharedByDocuments: Math.max(1, r.shared ?? 1),
    textSource: r.text_source ?? 'native',
  }));
}
