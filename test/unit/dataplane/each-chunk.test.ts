// eachChunk: an upload's chunks reach the byte store one at a time, in order, and the outcome
// never comes while a chunk is still being written (the caller's cleanup runs after it), and a
// failure of the last chunk's write is never hidden by the stream's end.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { eachChunk } from '../../../src/api/each-chunk.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Writes a, b, c, d and ends the stream. */
function writeAbcd(s: PassThrough): void {
  for (const x of ['a', 'b', 'c', 'd']) s.write(x);
  s.end();
}

describe('eachChunk', () => {
  it('gives every chunk in order, one at a time, and resolves after the last is consumed', async () => {
    const s = new PassThrough();
    const seen: string[] = [];
    let inFlight = 0;
    let most = 0;
    const done = eachChunk(s, async (c) => {
      most = Math.max(most, ++inFlight);
      await tick();
      seen.push(c.toString());
      inFlight--;
    });
    writeAbcd(s);
    await done;
    expect(seen.join('')).toBe('abcd');
    expect(most).toBe(1);
  });

  it('a failure of the chunk under way when the stream ends is the outcome', async () => {
    const s = new PassThrough();
    const done = eachChunk(s, async () => {
      await tick();
      throw new Error('the database went away');
    });
    s.end('last');
    await expect(done).rejects.toThrow('the database went away');
  });

  it('a stream error is answered only once the chunk under way is done', async () => {
    const s = new PassThrough();
    let finished = false;
    const done = eachChunk(s, async () => {
      await tick();
      await tick();
      finished = true;
    });
    s.write('x');
    await new Promise((r) => setImmediate(r));
    s.destroy(new Error('client went away'));
    await expect(done).rejects.toThrow('client went away');
    expect(finished).toBe(true);
  });

  it('a stream closed before its end is a failure', async () => {
    const s = new PassThrough();
    const done = eachChunk(s, async () => undefined);
    s.destroy();
    await expect(done).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('a consumer that returns nothing has taken its chunk: the stream goes on without a pause, in order with chunks consumed later', async () => {
    const s = new PassThrough();
    const seen: string[] = [];
    let pauses = 0;
    const pause = s.pause.bind(s);
    s.pause = () => {
      pauses++;
      return pause();
    };
    const done = eachChunk(s, (c) => {
      const x = c.toString();
      if (x !== 'b') return void seen.push(x);
      return tick().then(() => void seen.push(x));
    });
    writeAbcd(s);
    await done;
    expect(seen.join('')).toBe('abcd');
    expect(pauses).toBe(1);
  });

  it.each([
    ['throws at once', (seen: string[]) => (c: Buffer) => {
      seen.push(c.toString());
      throw new Error('413');
    }],
    ['fails', (seen: string[]) => async (c: Buffer) => {
      seen.push(c.toString());
      throw new Error('413');
    }],
  ])('a consumer that %s stops the chunks, and its error is the outcome', async (_, consumer) => {
    const s = new PassThrough();
    const seen: string[] = [];
    const done = eachChunk(s, consumer(seen));
    s.write('a');
    await expect(done).rejects.toThrow('413');
    s.write('b');
    s.end();
    await tick();
    expect(seen).toEqual(['a']);
  });
});
