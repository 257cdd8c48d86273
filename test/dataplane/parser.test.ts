// The limited parser processes on their own, for each extractor: typed outcomes, the wall-clock
// kill, the memory cap, and a dead process being replaced.
import { describe, expect, it } from 'vitest';
import type { Extractor } from '../../src/worker/extract/extractor.ts';
import { loadExtractor } from '../../src/worker/extract/load-extractor.ts';
import { warmUp } from '../../src/worker/parse-child.ts';
import { readFileSync } from 'node:fs';
import { CAN_CAP_ADDRESS_SPACE, ParserPool, ParserProcess, type ParserLimits } from '../../src/worker/parser.ts';
import { CMAP_TEXT, cmapPdf } from './support/cmap-pdf.ts';
import { sampleRss } from './support/rss.ts';
import { flateBombPdf, prose, textBombPdf, textPdf } from './support/pdf-factory.ts';
import { EXTRACTORS } from '../../src/shared/extractor-names.ts';

const limits: ParserLimits = { timeoutMs: 30_000, memoryMiB: 256, maxPages: 100, maxChars: 1_000_000_000 };

describe.each(EXTRACTORS)('parser processes (%s)', (extractor) => {
  it('returns the text of every page, numbered', async () => {
    const pool = new ParserPool(256, extractor);
    try {
      const r = await pool.parse(await textPdf(['first page alpha', 'second page beta']), limits);
      expect(r.totalPages).toBe(2);
      expect(r.pages.map((p) => p.page)).toEqual([1, 2]);
      expect(r.pages[1]!.text).toContain('second page beta');
    } finally {
      pool.close();
    }
  });

  // pdf.js drops this text, silently, unless it is told where its CMap files are.
  it('reads text encoded through a predefined CMap (a Japanese CID font that is not embedded)', async () => {
    const pool = new ParserPool(256, extractor);
    try {
      const r = await pool.parse(cmapPdf(), limits);
      expect(r.pages[0]!.text.trim()).toBe(CMAP_TEXT);
    } finally {
      pool.close();
    }
  });

  it('kills a parse that outlives the timeout with Timeout, and the pool starts a fresh process', async () => {
    const pool = new ParserPool(512, extractor);
    try {
      const slow = textBombPdf(64_000_000);
      await expect(pool.parse(slow, { ...limits, memoryMiB: 512, timeoutMs: 300 })).rejects.toMatchObject({ type: 'Timeout' });
      // Started at once, not when the next document comes.
      expect(pool.idlePids).toHaveLength(1);
      const r = await pool.parse(await textPdf([prose(3, 1)]), limits);
      expect(r.totalPages).toBe(1);
    } finally {
      pool.close();
    }
  });

  it('caps the memory of a Flate bomb: OutOfMemory, and the process RSS stays near the cap', async () => {
    const p = new ParserProcess(128, extractor);
    const bomb = await flateBombPdf(2 * 1024 ** 3);
    const rss = sampleRss(p.pid!, 20);
    await expect(p.parse(bomb, { ...limits, memoryMiB: 128 })).rejects.toMatchObject({ type: 'OutOfMemory' });
    const max = rss.stop();
    p.kill();
    // About 120-140 MiB are resident after start-up and warm-up (Node and the extractor); the
    // bomb may add at most the cap.
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThan(140 + 128 + 64);
  });

  it('kills the process when the caller aborts (worker shutdown)', async () => {
    const p = new ParserProcess(512, extractor);
    const ac = new AbortController();
    const parsing = p.parse(textBombPdf(64_000_000), { ...limits, memoryMiB: 512 }, ac.signal);
    setTimeout(() => ac.abort(), 200);
    await expect(parsing).rejects.toThrow(/aborted/);
    expect(p.alive).toBe(false);
  });
});

describe('parser process start-up', () => {
  // V8 bounds-checks WebAssembly by guard pages (its trap handler) only where it could reserve
  // 8 GiB and more for the memory; under an address-space limit set before that it compiles
  // explicit checks instead, and PDFium reads 10-15 % fewer pages per CPU-second.
  it('instantiates PDFium before its address space is capped, so V8 keeps its guard regions', async () => {
    const p = new ParserProcess(256, 'pdfium');
    try {
      await p.parse(await textPdf(['guarded']), limits);
      const status = readFileSync(`/proc/${p.pid}/status`, 'utf8');
      const vmKiB = Number(/VmSize:\s+(\d+) kB/.exec(status)?.[1]);
      expect(vmKiB * 1024).toBeGreaterThan(8 * 1024 ** 3);
      if (CAN_CAP_ADDRESS_SPACE) {
        const cap = /Max address space\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/limits`, 'utf8'))?.[1];
        expect(Number(cap)).toBeLessThan(vmKiB * 1024 + 512 * 1024 ** 2);
      }
    } finally {
      p.kill();
    }
  });

  it('refuses an unknown extractor with the reason', async () => {
    const p = new ParserProcess(256, 'mupdf' as never);
    await expect(p.parse(await textPdf(['x']), limits)).rejects.toThrow(/did not start: unknown extractor "mupdf"/);
  });

  it('reads the built-in warm-up document with each extractor, and says what went wrong when it cannot', async () => {
    for (const name of EXTRACTORS) expect(await warmUp(await loadExtractor(name, 64 * 1024 * 1024))).toBeUndefined();
    const blind: Extractor = {
      name: 'pdf-parse',
      broken: false,
      classify: () => ({ type: 'Unknown', message: 'unused' }),
      open: async () => ({ totalPages: 1, pages: async () => [{ page: 1, text: 'something else', chars: 14 }], close: async () => undefined }),
    };
    expect(await warmUp(blind)).toMatch(/the warm-up document read as "something else"/);
  });
});
