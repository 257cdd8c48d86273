// Every chunk in PostgreSQL: its text, pages and content hash, and the tsvector the lexical leg
// of search matches (in the collection's text-search configuration) with its length in words,
// whatever storeText says; Chroma holds the vectors. Rows go with their document (ON DELETE
// CASCADE), and the triggers of migration 6 journal them for the collection's term statistics.
import { lexicalText } from '../lexical-text.ts';
import type { Queryable } from './queryable.ts';

export interface ChunkRow {
  documentId: string;
  chunkIndex: number;
  text: string;
  pageStart: number;
  pageEnd: number;
  /** SHA-256 of the text, hex: identical chunks of a collection share it. */
  contentSha256: string;
  /** ocr when the text of a page it spans was recognised. */
  textSource?: 'native' | 'ocr';
}

/** The chunk's id in Chroma, and the key of loadChunks' answer. */
export function chunkKey(documentId: string, chunkIndex: number): string {
  return `${documentId}:${chunkIndex}`;
}

/**
 * Writes (or overwrites) chunks in one statement, with their tsvectors and token counts. Rows of
 * a document deleted meanwhile are left out rather than failing the others written with them.
 */
export async function saveChunks(db: Queryable, rows: readonly ChunkRow[]): Promise<void> {
  // One row per chunk even if a chunk comes twice: ON CONFLICT may touch a row only once.
  const unique = [...new Map(rows.map((r) => [chunkKey(r.documentId, r.chunkIndex), r])).values()];
  if (unique.length === 0) return;
  const words = unique.map((r) => lexicalText(r.text));
  await db.query(
    `INSERT INTO chunk_texts (document_id, chunk_index, text, collection, page_start, page_end, content_sha256, tsv, tokens, text_source)
     SELECT u.document_id, u.chunk_index, u.text, d.collection, u.page_start, u.page_end, u.content_sha256,
            to_tsvector(coalesce(c.text_search_config, 'simple')::regconfig, u.lexical_text), u.tokens, u.text_source
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::int[], $9::text[])
              AS u (document_id, chunk_index, text, page_start, page_end, content_sha256, lexical_text, tokens, text_source)
       JOIN documents d ON d.id = u.document_id
       LEFT JOIN collections c ON c.name = d.collection
     ON CONFLICT (document_id, chunk_index) DO UPDATE SET
       text = EXCLUDED.text, collection = EXCLUDED.collection, page_start = EXCLUDED.page_start, page_end = EXCLUDED.page_end,
       content_sha256 = EXCLUDED.content_sha256, tsv = EXCLUDED.tsv, tokens = EXCLUDED.tokens, text_source = EXCLUDED.text_source`,
    [
      unique.map((r) => r.documentId),
      unique.map((r) => r.chunkIndex),
      unique.map((r) => r.text),
      unique.map((r) => r.pageStart),
      unique.map((r) => r.pageEnd),
      unique.map((r) => r.contentSha256),
      words,
      // BM25's document length: the chunk's words, as the lexical index reads them.
      words.map((w) => (w === '' ? 0 : w.split(' ').length)),
      unique.map((r) => r.textSource ?? 'native'),
    ],
  );
}

export async function deleteChunks(db: Queryable, documentId: string): Promise<void> {
  await db.query('DELETE FROM chunk_texts WHERE document_id = $1', [documentId]);
}

/** The texts of the given chunks that are here, keyed `<document>:<chunk index>`. */
export async function loadChunkTexts(db: Queryable, chunks: readonly { documentId: string; chunkIndex: number }[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (chunks.length === 0) return found;
  const { rows } = await db.query<{ document_id: string; chunk_index: number; text: string }>(
    `SELECT t.document_id, t.chunk_index, t.text
       FROM unnest($1::uuid[], $2::int[]) AS u (document_id, chunk_index)
       JOIN chunk_texts t USING (document_id, chunk_index)`,
    [chunks.map((c) => c.documentId), chunks.map((c) => c.chunkIndex)],
  );
  for (const r of rows) found.set(chunkKey(r.document_id, r.chunk_index), r.text);
  return found;
}
