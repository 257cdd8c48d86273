// The limited parser processes on their own: typed outcomes, the wall-clock kill, the memory cap,
// and a dead process being replaced.
import { describe, expect, it } from 'vitest';
import { ParserPool, ParserProcess, type ParserLimits } from '../../src/worker/parser.ts';
import { sampleRss } from './support/rss.ts';
import { flateBombPdf, prose, textBombPdf, textPdf } from './support/pdf-factory.ts';

const limits: ParserLimits = { timeoutMs: 30_000, memoryMiB: 256, maxPages: 100, maxChars: 1_000_000_000 };

describe('parser processes', () => {
  it('returns the text of every page, numbered', async () => {
    const pool = new ParserPool(256);
    try {
      const r = await pool.parse(await textPdf(['first page alpha', 'second page beta']), limits);
      expect(r.totalPages).toBe(2);
      expect(r.pages.map((p) => p.page)).toEqual([1, 2]);
      expect(r.pages[1]!.text).toContain('second page beta');
    } finally {
      pool.close();
    }
  });

  it('kills a parse that outlives the timeout with Timeout, and the pool starts a fresh process', async () => {
    const pool = new ParserPool(512);
    try {
      const slow = textBombPdf(64_000_000);
      await expect(pool.parse(slow, { ...limits, memoryMiB: 512, timeoutMs: 300 })).rejects.toMatchObject({ type: 'Timeout' });
      const r = await pool.parse(await textPdf([prose(3, 1)]), limits);
      expect(r.totalPages).toBe(1);
    } finally {
      pool.close();
    }
  });

  it('caps the memory of a Flate bomb: OutOfMemory, and the process RSS stays near the cap', async () => {
    const p = new ParserProcess(128);
    const bomb = await flateBombPdf(2 * 1024 ** 3);
    const rss = sampleRss(p.pid!, 20);
    await expect(p.parse(bomb, { ...limits, memoryMiB: 128 })).rejects.toMatchObject({ type: 'OutOfMemory' });
    const max = rss.stop();
    p.kill();
    // About 140 MiB are resident after start-up (Node, pdf.js); the bomb may add at most the cap.
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThan(140 + 128 + 64);
  });

  it('kills the process when the caller aborts (worker shutdown)', async () => {
    const p = new ParserProcess(512);
    const ac = new AbortController();
    const parsing = p.parse(textBombPdf(64_000_000), { ...limits, memoryMiB: 512 }, ac.signal);
    setTimeout(() => ac.abort(), 200);
    await expect(parsing).rejects.toThrow(/aborted/);
    expect(p.alive).toBe(false);
  });
});
