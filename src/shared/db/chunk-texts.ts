// Chunk text in PostgreSQL, for clusters with stores.chroma.storeText off: Chroma then holds
// vectors and metadata only, and search reads the text of its hits from here by chunk id.
// Rows go with their document (ON DELETE CASCADE), so deletes and purges need no extra step.
import type { Queryable } from './queryable.ts';

export interface ChunkTextRow {
  documentId: string;
  chunkIndex: number;
  text: string;
}

/** The chunk's id in Chroma, and the key of loadChunkTexts' answer. */
export function chunkTextKey(documentId: string, chunkIndex: number): string {
  return `${documentId}:${chunkIndex}`;
}

/**
 * Writes (or overwrites) chunk texts in one statement. Rows of a document deleted meanwhile are
 * left out rather than failing the others written with them.
 */
export async function saveChunkTexts(db: Queryable, rows: readonly ChunkTextRow[]): Promise<void> {
  // One row per chunk even if a chunk comes twice: ON CONFLICT may touch a row only once.
  const unique = new Map(rows.map((r) => [chunkTextKey(r.documentId, r.chunkIndex), r]));
  if (unique.size === 0) return;
  const list = [...unique.values()];
  await db.query(
    `INSERT INTO chunk_texts (document_id, chunk_index, text)
     SELECT u.document_id, u.chunk_index, u.text
       FROM unnest($1::uuid[], $2::int[], $3::text[]) AS u (document_id, chunk_index, text)
       JOIN documents d ON d.id = u.document_id
     ON CONFLICT (document_id, chunk_index) DO UPDATE SET text = EXCLUDED.text`,
    [list.map((r) => r.documentId), list.map((r) => r.chunkIndex), list.map((r) => r.text)],
  );
}

export async function deleteChunkTexts(db: Queryable, documentId: string): Promise<void> {
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
  for (const r of rows) found.set(chunkTextKey(r.document_id, r.chunk_index), r.text);
  return found;
}
