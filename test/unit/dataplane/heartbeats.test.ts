import { describe, expect, it } from 'vitest';
import { parseHeartbeats } from '../../../src/shared/heartbeats.ts';

const hb = (id: string, active: number, ts: number) => JSON.stringify({ id, active, concurrency: 2, ts });

describe('worker heartbeats', () => {
  it('keeps fresh entries, drops stale and malformed ones, sorted by id', () => {
    const now = 100_000;
    const got = parseHeartbeats({ b: hb('b', 1, now - 1000), a: hb('a', 0, now - 5000), old: hb('old', 2, now - 60_000), junk: '{', half: '{"id":"x"}' }, now, 20_000);
    expect(got.map((w) => w.id)).toEqual(['a', 'b']);
    expect(got.find((w) => w.id === 'b')?.active).toBe(1);
  });
});
