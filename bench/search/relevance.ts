// Document-level relevance of ranked answers: hit@1, hit@5 and mean reciprocal rank (over the
// first 10 documents).
export interface Relevance {
  hit1: number;
  hit5: number;
  mrr: number;
}

export function relevance(answers: readonly { expected: string; ranked: readonly string[] }[]): Relevance {
  let hit1 = 0;
  let hit5 = 0;
  let mrr = 0;
  for (const { expected, ranked } of answers) {
    const rank = ranked.slice(0, 10).indexOf(expected) + 1;
    if (rank === 1) hit1++;
    if (rank >= 1 && rank <= 5) hit5++;
    if (rank >= 1) mrr += 1 / rank;
  }
  const n = Math.max(1, answers.length);
  return { hit1: hit1 / n, hit5: hit5 / n, mrr: mrr / n };
}

/** The documents of ranked hits, best first, each once. */
export const documentsOf = <T>(hits: readonly T[], documentOf: (hit: T) => string): string[] => [...new Set(hits.map(documentOf))];
