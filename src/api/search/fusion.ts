// Weighted reciprocal-rank fusion of the legs of a hybrid search, with identical chunk texts
// ranked once. Pure.

/** A leg's hit: a chunk, and the key of its text (identical texts of a collection share it). */
export interface LegHit {
  documentId: string;
  chunkIndex: number;
  contentKey: string;
}

export type LegName = 'vector' | 'lexical';

export interface FusedHit {
  documentId: string;
  chunkIndex: number;
  contentKey: string;
  /** Σ weight / (k + rank) over the legs that found it. */
  score: number;
  /** 1-based rank in each leg that found it. */
  ranks: Partial<Record<LegName, number>>;
}

/**
 * RRF's constant. 60, the literature's, flattens the first ranks so much that a weak leg's top
 * hits outrank a strong leg's; 10 keeps the legs' own order at the top (docs/benchmarks.md).
 */
export const RRF_K = 10;

/** Each leg with its duplicate texts dropped: the first (best-ranked) chunk of a text stays. */
export function distinctTexts<T extends LegHit>(hits: readonly T[]): T[] {
  const seen = new Set<string>();
  return hits.filter((h) => !seen.has(h.contentKey) && seen.add(h.contentKey));
}

/**
 * Fuses the legs' ranked hits by weighted reciprocal rank, one hit per text: a text found by both
 * legs (possibly as different chunks of the same words) counts once, as the chunk the first leg
 * that found it ranked.
 */
export function fuse(legs: Partial<Record<LegName, readonly LegHit[]>>, weights: Record<LegName, number>, limit: number, k = RRF_K): FusedHit[] {
  const byText = new Map<string, FusedHit>();
  for (const [leg, hits] of Object.entries(legs) as [LegName, readonly LegHit[]][]) {
    distinctTexts(hits).forEach((hit, i) => {
      const rank = i + 1;
      const fused = byText.get(hit.contentKey) ?? { documentId: hit.documentId, chunkIndex: hit.chunkIndex, contentKey: hit.contentKey, score: 0, ranks: {} };
      fused.score += weights[leg] / (k + rank);
      fused.ranks[leg] = rank;
      byText.set(hit.contentKey, fused);
    });
  }
  return [...byText.values()]
    .sort((a, b) => b.score - a.score || bestRank(a) - bestRank(b) || a.documentId.localeCompare(b.documentId) || a.chunkIndex - b.chunkIndex)
    .slice(0, limit);
}

const bestRank = (h: FusedHit) => Math.min(...Object.values(h.ranks));
