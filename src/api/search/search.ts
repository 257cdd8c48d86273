// A search of one collection: the vector leg (Chroma, nearest chunks to the query's embedding),
// the lexical leg (BM25 in PostgreSQL), or both fused by reciprocal rank; filters applied in each
// leg before it ranks; identical texts answered once, with the count of documents sharing them.
import type pg from 'pg';
import type { ChromaStore, ChunkHit } from '../../shared/chroma-store.ts';
import type { CollectionRow } from '../../shared/db/collections.ts';
import { lexicalSearch, type LexicalHit } from '../../shared/db/lexical-search.ts';
import { loadHitDetails } from '../../shared/db/search-hits.ts';
import { filtersDocuments, matchingDocumentIds, type SearchFilters } from '../../shared/db/search-filters.ts';
import type { Embedder } from '../../shared/embedding/embedder.ts';
import { fuse, type LegHit, type LegName } from './fusion.ts';
import type { SearchRequest } from './search-request.ts';

export interface SearchDeps {
  pool: pg.Pool;
  chroma: ChromaStore;
  embedder: Embedder;
}

export interface SearchResult {
  documentId: string;
  filename: string | null;
  /** The document's source URI (an IngestionJob's document); null for an upload. */
  source: string | null;
  job: string | null;
  metadata: Record<string, unknown>;
  chunkIndex: number;
  pageStart: number;
  pageEnd: number;
  text: string;
  /** The fused score: Σ weight / (10 + rank) over the legs that found the chunk (fusion.ts). */
  score: number;
  ranks: { vector: number | null; lexical: number | null };
  /** Cosine distance, when the vector leg found the chunk. */
  distance: number | null;
  /** BM25 score, when the lexical leg found the chunk. */
  bm25: number | null;
  /** Documents of the collection holding this same text (1: only this one). */
  sharedByDocuments: number;
  /** ocr when the text of a page the chunk spans was recognised (it had no text layer). */
  textSource: 'native' | 'ocr';
}

/** Candidates each leg ranks: enough that fusion sees past the first page of either. */
export const legDepth = (limit: number) => Math.min(300, Math.max(50, 3 * limit));
/** Documents a filter may admit and still be passed to Chroma as an id list. */
const MAX_FILTER_IDS = 2000;

export async function search(deps: SearchDeps, req: SearchRequest, col: CollectionRow): Promise<SearchResult[]> {
  const depth = legDepth(req.limit);
  const [vector, lexical] = await Promise.all([
    req.mode === 'lexical' ? undefined : vectorLeg(deps, req, col, depth),
    req.mode === 'vector' ? undefined : lexicalSearch(deps.pool, { collection: req.collection, textSearchConfig: col.textSearchConfig, query: req.query, depth, filters: req.filters }),
  ]);
  const legs: Partial<Record<LegName, LegHit[]>> = {};
  if (vector) legs.vector = vector.map(asLegHit);
  if (lexical) legs.lexical = lexical.map(asLegHit);
  const weights = req.mode === 'hybrid' ? { vector: req.vectorWeight, lexical: 1 - req.vectorWeight } : { vector: 1, lexical: 1 };
  const fused = fuse(legs, weights, req.limit);
  const vectorHits = new Map(vector?.map((h) => [`${h.documentId}:${h.chunkIndex}`, h]));
  const lexicalHits = new Map(lexical?.map((h) => [`${h.documentId}:${h.chunkIndex}`, h]));
  const details = new Map((await loadHitDetails(deps.pool, req.collection, fused)).map((d) => [`${d.documentId}:${d.chunkIndex}`, d]));
  const results: SearchResult[] = [];
  for (const hit of fused) {
    const key = `${hit.documentId}:${hit.chunkIndex}`;
    const d = details.get(key);
    const fromChroma = vectorHits.get(key);
    // Not in PostgreSQL yet, or without its pages (a collection being backfilled): as Chroma holds it.
    const text = d?.text ?? fromChroma?.text ?? null;
    const pages = d?.pages ?? (fromChroma ? { start: fromChroma.pageStart, end: fromChroma.pageEnd } : null);
    // No document or no text: it was deleted between the legs and this read.
    if (!d || text === null || pages === null) continue;
    results.push({
      documentId: d.documentId,
      filename: d.filename,
      source: d.source,
      job: d.job,
      metadata: d.metadata,
      chunkIndex: d.chunkIndex,
      pageStart: pages.start,
      pageEnd: pages.end,
      text,
      score: hit.score,
      ranks: { vector: hit.ranks.vector ?? null, lexical: hit.ranks.lexical ?? null },
      distance: fromChroma?.distance ?? null,
      bm25: lexicalHits.get(key)?.score ?? null,
      sharedByDocuments: d.sharedByDocuments,
      textSource: d.textSource,
    });
  }
  return results;
}

const asLegHit = (h: ChunkHit | LexicalHit): LegHit => ({ documentId: h.documentId, chunkIndex: h.chunkIndex, contentKey: h.contentSha256 || `${h.documentId}:${h.chunkIndex}` });

/**
 * The nearest chunks among those the filters admit: Chroma filters by document id, so a filter
 * on other fields is first resolved to the ids it admits in PostgreSQL. A filter admitting more
 * documents than an id list should carry is applied to a deeper unfiltered answer instead.
 */
async function vectorLeg(deps: SearchDeps, req: SearchRequest, col: CollectionRow, depth: number): Promise<ChunkHit[]> {
  const [[vector], ids] = await Promise.all([deps.embedder.embed([req.query]), admittedIds(deps.pool, req.collection, req.filters)]);
  if (ids === 'all') return deps.chroma.query(req.collection, vector!, depth, col.model, col.dimensions);
  if (ids !== 'many') return deps.chroma.query(req.collection, vector!, depth, col.model, col.dimensions, ids);
  const hits = await deps.chroma.query(req.collection, vector!, depth * 4, col.model, col.dimensions);
  const admitted = new Set(await matchingDocumentIds(deps.pool, req.collection, { ...req.filters, documentIds: [...new Set(hits.map((h) => h.documentId))] }, depth * 4));
  return hits.filter((h) => admitted.has(h.documentId)).slice(0, depth);
}

async function admittedIds(pool: pg.Pool, collection: string, filters: SearchFilters): Promise<readonly string[] | 'all' | 'many'> {
  if (!filtersDocuments(filters)) return filters.documentId === undefined ? 'all' : [filters.documentId];
  return (await matchingDocumentIds(pool, collection, filters, MAX_FILTER_IDS)) ?? 'many';
}
