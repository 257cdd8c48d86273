// The anchor the benchmark judges against: Okapi BM25 written plainly (k1 1.2, b 0.75), over the
// same chunks Sluice stores, with lower-cased words as terms.
export interface RefChunk {
  document: string;
  text: string;
}

const TERM = /[\p{L}\p{N}]+/gu;
const terms = (text: string) => text.toLowerCase().match(TERM) ?? [];

export class Bm25Reference {
  private readonly docs: { document: string; tf: Map<string, number>; length: number }[];
  private readonly df = new Map<string, number>();
  private readonly avgdl: number;

  constructor(chunks: readonly RefChunk[]) {
    this.docs = chunks.map((c) => {
      const tf = new Map<string, number>();
      const words = terms(c.text);
      for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
      for (const w of tf.keys()) this.df.set(w, (this.df.get(w) ?? 0) + 1);
      return { document: c.document, tf, length: words.length };
    });
    this.avgdl = this.docs.reduce((a, d) => a + d.length, 0) / Math.max(1, this.docs.length);
  }

  /** The documents of the best-scoring chunks, best first, each once. */
  rankDocuments(query: string, k1 = 1.2, b = 0.75): string[] {
    const n = this.docs.length;
    const q = [...new Set(terms(query))].filter((t) => this.df.has(t));
    const idf = new Map(q.map((t) => [t, Math.log(1 + (n - this.df.get(t)! + 0.5) / (this.df.get(t)! + 0.5))]));
    const scored: { document: string; score: number }[] = [];
    for (const d of this.docs) {
      let score = 0;
      for (const t of q) {
        const tf = d.tf.get(t);
        if (tf) score += (idf.get(t)! * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * d.length) / this.avgdl));
      }
      if (score > 0) scored.push({ document: d.document, score });
    }
    scored.sort((a, b) => b.score - a.score);
    return [...new Set(scored.map((s) => s.document))];
  }
}
