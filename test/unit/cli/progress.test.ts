import { describe, expect, it } from 'vitest';
import { bar, bytes, duration, eta, rate } from '../../../src/cli/progress.ts';

describe('bar', () => {
  it.each([
    [0, 8, '        '],
    [1, 8, '████████'],
    [0.5, 8, '████    '],
    [1 / 16, 8, '▌       '],
    [0.99, 8, '███████▉'],
    [1.5, 4, '████'],
    [-1, 4, '    '],
    [Number.NaN, 4, '    '],
  ])('%d of %i cells is "%s"', (fraction, width, want) => {
    expect(bar(fraction, width)).toBe(want);
    expect([...bar(fraction, width)]).toHaveLength(width);
  });
});

describe('duration', () => {
  it.each([
    [undefined, '-'],
    [-1, '-'],
    [Number.POSITIVE_INFINITY, '-'],
    [0, '0s'],
    [44.6, '45s'],
    [192, '3m12s'],
    [3600 + 5 * 60 + 9, '1h05m'],
    [2 * 86_400 + 3 * 3600, '2d03h'],
  ])('%s s is %s', (seconds, want) => {
    expect(duration(seconds)).toBe(want);
  });
});

describe('rate', () => {
  it.each([
    [undefined, '-'],
    [0, '0 docs/s'],
    [0.5, '30 docs/min'],
    [0.0123, '0.738 docs/min'],
    [12.345, '12.3 docs/s'],
    [1234.5, '1235 docs/s'],
  ])('%s a second is %s', (perSecond, want) => {
    expect(rate(perSecond, 'docs')).toBe(want);
  });
});

describe('bytes', () => {
  it.each([
    [950, '950 B'],
    [1000, '1 kB'],
    [1_234_567, '1.23 MB'],
    [3.4e9, '3.4 GB'],
  ])('%i is %s', (n, want) => {
    expect(bytes(n)).toBe(want);
  });
});

describe('eta', () => {
  it.each([
    [0, 10, undefined, undefined],
    [0, 10, 0, undefined],
    [4, 10, 2, 3],
    [10, 10, undefined, 0],
    [12, 10, 1, 0],
  ])('%i of %i at %s a second: %s s left', (done, total, perSecond, want) => {
    expect(eta(done, total, perSecond)).toBe(want);
  });
});
