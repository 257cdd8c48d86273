// The nearest chunks of a collection, each with its text: from Chroma's `documents` when the
// chunk was written with storeText on, otherwise from PostgreSQL by chunk id. Hits of both kinds
// can mix in one collection (the setting may change while it grows), so each hit is judged alone
// and the API needs no knowledge of the setting.
import type pg from 'pg';
import type { ChromaStore, ChunkHit } from '../shared/chroma-store.ts';
import { chunkTextKey, loadChunkTexts } from '../shared/db/chunk-texts.ts';

/** A chunk Chroma found, with its text wherever it was kept. */
export type SearchHit = ChunkHit & { text: string };

export interface SearchQuery {
  collection: string;
  vector: number[];
  limit: number;
  model: string;
  dimensions: number;
  documentId?: string | undefined;
}

export async function searchChunks(pool: pg.Pool, chroma: ChromaStore, q: SearchQuery): Promise<SearchHit[]> {
  const hits = await chroma.query(q.collection, q.vector, q.limit, q.model, q.dimensions, q.documentId);
  const missing = hits.filter((h) => h.text === null);
  const texts = await loadChunkTexts(pool, missing);
  const out: SearchHit[] = [];
  for (const h of hits) {
    const text = h.text ?? texts.get(chunkTextKey(h.documentId, h.chunkIndex));
    // No text anywhere: its document was deleted between the two reads (chunks leave Chroma
    // before the document's row, and its texts, leave PostgreSQL).
    if (text === undefined) continue;
    out.push({ ...h, text });
  }
  return out;
}
