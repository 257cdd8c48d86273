// The built-in offline embedder: signed feature hashing of lower-cased word unigrams and
// bigrams into a fixed number of buckets, L2-normalised. It needs no network and no model, and
// it is deterministic, so tests and air-gapped installs work. It captures lexical overlap only:
// "car" and "automobile" are unrelated to it. Use a real model (OpenAICompatible) for semantics.
import type { Embedder } from './embedder.ts';

const WORD = /[\p{L}\p{N}]+/gu;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function hashEmbed(text: string, dimensions: number): number[] {
  const v = new Float64Array(dimensions);
  const words = text.toLowerCase().match(WORD) ?? [];
  const bump = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    v[h % dimensions]! += (h & 0x80000000 ? -1 : 1) * weight;
  };
  for (let i = 0; i < words.length; i++) {
    bump(words[i]!, 1);
    if (i + 1 < words.length) bump(`${words[i]} ${words[i + 1]}`, 0.5);
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return Array.from(v, (x) => x / norm);
}

export class OfflineEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  constructor(model: string, dimensions: number) {
    this.model = model;
    this.dimensions = dimensions;
  }
  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((t) => hashEmbed(t, this.dimensions));
  }
}
