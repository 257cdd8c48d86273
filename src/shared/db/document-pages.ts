// Where each page's text came from (native, ocr, none), and the pages a worker is recognising
// now, which the queue summary adds up for the autoscaler.
import type { Claim } from './claims.ts';
import type { Queryable } from './queryable.ts';

export type TextSource = 'native' | 'ocr' | 'none';

export interface PageRecord {
  page: number;
  source: TextSource;
  chars: number;
}

/** Replaces the document's page records (a reindex may read them otherwise). */
export async function savePages(db: Queryable, documentId: string, pages: readonly PageRecord[]): Promise<void> {
  await db.query('DELETE FROM document_pages WHERE document_id = $1', [documentId]);
  await db.query(
    `INSERT INTO document_pages (document_id, page, text_source, chars)
     SELECT $1, u.page, u.source, u.chars FROM unnest($2::int[], $3::text[], $4::int[]) AS u (page, source, chars)
      WHERE EXISTS (SELECT 1 FROM documents WHERE id = $1)`,
    [documentId, pages.map((p) => p.page), pages.map((p) => p.source), pages.map((p) => p.chars)],
  );
}

/** The pages the claim's worker is about to recognise; false when the claim was lost. */
export async function setOcrPages(db: Queryable, c: Claim, pages: number): Promise<boolean> {
  const r = await db.query(`UPDATE documents SET ocr_pages = $4 WHERE id = $1 AND worker_id = $2 AND attempts = $3 AND state = 'processing'`, [
    c.doc.id,
    c.workerId,
    c.attempt,
    pages,
  ]);
  return (r.rowCount ?? 0) > 0;
}
