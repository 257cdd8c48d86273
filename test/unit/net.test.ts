// The polling helper the local stack and the tests wait with.
import { describe, expect, it } from 'vitest';
import { eventually, GiveUp } from '@sluice/devenv/net';

describe('eventually', () => {
  it('keeps polling through ordinary throws and returns the first value', async () => {
    let calls = 0;
    const v = await eventually('three calls', async () => {
      calls++;
      if (calls < 3) throw new Error('not yet');
      return calls;
    }, 5_000, 1);
    expect(v).toBe(3);
  });

  it('stops at once on GiveUp, with its error', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      eventually('a dead process', async () => {
        calls++;
        throw new GiveUp('it exited');
      }, 30_000, 1),
    ).rejects.toThrow('it exited');
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports the last error when time runs out', async () => {
    await expect(eventually('never', async () => { throw new Error('still down'); }, 50, 5)).rejects.toThrow(/timed out after 50 ms waiting for never: Error: still down/);
  });
});
