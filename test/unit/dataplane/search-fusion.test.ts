// Weighted reciprocal-rank fusion, one hit per text.
import { describe, expect, it } from 'vitest';
import { fuse, RRF_K, type LegHit } from '../../../src/api/search/fusion.ts';

const hit = (doc: string, chunk: number, text = `${doc}:${chunk}`): LegHit => ({ documentId: doc, chunkIndex: chunk, contentKey: text });
const even = { vector: 0.5, lexical: 0.5 };

describe('fuse', () => {
  it('sums weight / (k + rank) over the legs that found a chunk, best first', () => {
    const fused = fuse({ vector: [hit('a', 0), hit('b', 0)], lexical: [hit('b', 0), hit('c', 0)] }, even, 10);
    expect(fused.map((f) => f.documentId)).toEqual(['b', 'a', 'c']);
    expect(fused[0]).toMatchObject({ ranks: { vector: 2, lexical: 1 }, score: 0.5 / (RRF_K + 2) + 0.5 / (RRF_K + 1) });
    expect(fused[1]).toMatchObject({ ranks: { vector: 1 }, score: 0.5 / (RRF_K + 1) });
  });

  it('lets the weights decide between two legs that disagree', () => {
    const legs = { vector: [hit('v', 0), hit('l', 0)], lexical: [hit('l', 0), hit('v', 0)] };
    expect(fuse(legs, { vector: 0.1, lexical: 0.9 }, 1)[0]!.documentId).toBe('l');
    expect(fuse(legs, { vector: 0.9, lexical: 0.1 }, 1)[0]!.documentId).toBe('v');
  });

  it('ranks identical texts once, as the best-ranked chunk holding them, and counts ranks without the copies', () => {
    const boilerplate = 'the same disclaimer';
    const vector = [hit('a', 3, boilerplate), hit('b', 3, boilerplate), hit('c', 3, boilerplate), hit('d', 0)];
    const fused = fuse({ vector }, { vector: 1, lexical: 0 }, 10);
    expect(fused.map((f) => [f.documentId, f.ranks.vector])).toEqual([['a', 1], ['d', 2]]);
  });

  it('merges the same text found by both legs as different chunks, and cuts at the limit', () => {
    const fused = fuse({ vector: [hit('a', 1, 'T'), hit('x', 0)], lexical: [hit('b', 7, 'T'), hit('y', 0), hit('z', 0)] }, even, 2);
    expect(fused).toHaveLength(2);
    expect(fused[0]).toMatchObject({ documentId: 'a', chunkIndex: 1, ranks: { vector: 1, lexical: 1 } });
  });

  it('breaks ties by best rank, then by document and chunk, so an answer is the same on every call', () => {
    const a = fuse({ vector: [hit('q', 0)], lexical: [hit('p', 0)] }, even, 10);
    expect(a.map((f) => f.documentId)).toEqual(['p', 'q']);
  });
});
