import { describe, expect, it } from 'vitest';
import { ERROR_TYPES } from '../../../src/crd/common.ts';
import { backoffMs } from '../../../src/shared/backoff.ts';
import { DocumentError, isPermanent } from '../../../src/shared/errors.ts';

describe('error taxonomy', () => {
  it.each([
    ['Encrypted', true],
    ['Corrupt', true],
    ['NoTextLayer', true],
    ['TooLarge', true],
    ['TooManyPages', true],
    ['Timeout', true],
    ['OutOfMemory', true],
    ['EmbeddingMismatch', true],
    ['StoreUnavailable', false],
    ['EmbeddingUnavailable', false],
    ['RateLimited', false],
  ] as const)('%s is permanent: %s', (type, permanent) => {
    expect(isPermanent(type)).toBe(permanent);
    expect(new DocumentError(type, 'x').permanent).toBe(permanent);
  });

  it('names each error after its type, so the name can be a metric label from the CRD enum', () => {
    for (const t of ERROR_TYPES) expect(new DocumentError(t, 'm').name).toBe(t);
  });
});

describe('backoff with jitter', () => {
  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [3, 0, 2000],
    [3, 1, 4000],
    [20, 1, 60000],
    [20, 0, 30000],
  ])('attempt %i with random %f waits %i ms', (attempt, r, ms) => {
    expect(backoffMs(attempt, 1000, 60000, () => r)).toBe(ms);
  });
});
