import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../src/controller/runtime/work-queue.ts';
import { exponentialDelay } from '../../src/shared/backoff.ts';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('exponentialDelay', () => {
  it.each([
    [1, 5],
    [2, 10],
    [3, 20],
    [10, 2560],
    [18, 655_360],
    [19, 1_000_000],
    [500, 1_000_000],
  ])('after %i failures waits %i ms (5 ms doubling, capped near 16 min)', (n, ms) => {
    expect(exponentialDelay(n, 5, 1_000_000)).toBe(ms);
  });
});

describe('WorkQueue', () => {
  it('deduplicates a key added many times while it waits', async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => void seen.push(k), () => {});
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    q.start();
    await tick(10);
    expect(seen).toEqual(['a', 'b']);
  });

  it('never runs one key twice at once, but reruns it if it changed meanwhile', async () => {
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const gate = deferred();
    const q = new WorkQueue(async () => {
      calls++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (calls === 1) await gate.promise;
      running--;
    }, () => {}, { concurrency: 4 });
    q.start();
    q.add('a');
    await tick();
    q.add('a');
    q.add('a');
    await tick(5);
    expect(calls).toBe(1);
    gate.resolve();
    await tick(10);
    expect(calls).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('processes different keys in parallel up to its concurrency', async () => {
    let running = 0;
    let maxRunning = 0;
    const q = new WorkQueue(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick(5);
      running--;
    }, () => {}, { concurrency: 2 });
    q.start();
    for (const k of ['a', 'b', 'c', 'd']) q.add(k);
    await tick(40);
    expect(maxRunning).toBe(2);
  });

  it('backs off per key on errors and forgets the failures after a success', async () => {
    const delays: number[] = [];
    let calls = 0;
    const q = new WorkQueue(
      async () => {
        calls++;
        if (calls <= 3) throw new Error('boom');
      },
      (_k, _e, retryIn) => delays.push(retryIn),
      { baseDelayMs: 5, maxDelayMs: 1000 },
    );
    q.start();
    q.add('a');
    await tick(100);
    expect(delays).toEqual([5, 10, 20]);
    expect(calls).toBe(4);
  });

  it('honours requeueAfter and keeps the earliest schedule', async () => {
    let calls = 0;
    const q = new WorkQueue(async () => {
      calls++;
      return calls === 1 ? { requeueAfterMs: 30 } : undefined;
    }, () => {});
    q.start();
    q.add('a');
    await tick(10);
    expect(calls).toBe(1);
    q.addAfter('a', 1000); // later than the pending 30 ms: ignored
    await tick(60);
    expect(calls).toBe(2);
    q.shutdown();
  });

  it('stop() waits for the keys in flight', async () => {
    let finished = false;
    const q = new WorkQueue(async () => {
      await tick(20);
      finished = true;
    }, () => {});
    q.start();
    q.add('a');
    await tick();
    await q.stop();
    expect(finished).toBe(true);
  });
});
