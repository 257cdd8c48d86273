import { describe, expect, it } from 'vitest';
import { charDifference } from '../../../bench/text-difference.ts';

describe('the character difference of a page against the reference', () => {
  it('ignores whitespace, line breaks and reading order', () => {
    expect(charDifference('beta alpha\n', 'alpha\nbeta')).toBe(0);
  });

  it('compares after NFKC, so a ligature equals its letters', () => {
    expect(charDifference('\uFB01le', 'file')).toBe(0);
  });

  it('counts missing and extra characters against the reference length', () => {
    expect(charDifference('abcd', 'abcdefghij')).toBeCloseTo(0.6);
    expect(charDifference('abcdefghijXY', 'abcdefghij')).toBeCloseTo(0.2);
    expect(charDifference('abcdefghiX', 'abcdefghij')).toBeCloseTo(0.2);
  });

  it('is 0 for two empty pages and infinite for text where the reference has none', () => {
    expect(charDifference(' ', '')).toBe(0);
    expect(charDifference('x', '')).toBe(Infinity);
  });
});
