import { describe, expect, it } from 'vitest';
import { hashEmbed } from '../../../src/shared/embedding/offline.ts';

const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('offline hashing embedder', () => {
  it('is deterministic, of the configured dimension, and unit length', () => {
    const v = hashEmbed('The quick brown fox', 64);
    expect(v).toHaveLength(64);
    expect(hashEmbed('The quick brown fox', 64)).toEqual(v);
    expect(Math.abs(cos(v, v) - 1)).toBeLessThan(1e-9);
  });

  it('scores shared words above unrelated text, and ignores case and punctuation', () => {
    const q = hashEmbed('platypus ledger', 384);
    expect(cos(q, hashEmbed('The PLATYPUS ledger, hidden.', 384))).toBeGreaterThan(cos(q, hashEmbed('weather report for tuesday', 384)) + 0.3);
  });

  it('gives the empty string a zero vector rather than NaN', () => {
    expect(hashEmbed('', 16).every((x) => x === 0)).toBe(true);
  });
});
