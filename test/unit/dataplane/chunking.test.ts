import { describe, expect, it } from 'vitest';
import { chunkPages } from '../../../src/shared/chunking.ts';

const words = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(' ');

describe('page-aware chunking', () => {
  it('returns nothing for pages without text', async () => {
    expect(await chunkPages([{ page: 1, text: '  ' }, { page: 2, text: '' }], 200, 20)).toEqual([]);
  });

  it('keeps chunks within the size, numbers them, and hashes their text', async () => {
    const chunks = await chunkPages([{ page: 1, text: words('a', 300) }], 200, 20);
    expect(chunks.length).toBeGreaterThan(5);
    chunks.forEach((c, i) => {
      expect(c.index).toBe(i);
      expect(c.text.length).toBeLessThanOrEqual(200);
      expect(c.hash).toMatch(/^[0-9a-f]{64}$/);
      expect([c.pageStart, c.pageEnd]).toEqual([1, 1]);
    });
  });

  it('gives each chunk the range of pages it covers', async () => {
    const chunks = await chunkPages(
      [
        { page: 1, text: words('p1w', 40) },
        { page: 2, text: 'short' },
        { page: 4, text: words('p4w', 40) },
      ],
      5000,
      0,
    );
    expect(chunks).toHaveLength(1);
    expect([chunks[0]!.pageStart, chunks[0]!.pageEnd]).toEqual([1, 4]);
    const small = await chunkPages([{ page: 1, text: words('p1w', 40) }, { page: 2, text: words('p2w', 40) }], 150, 0);
    const withP2 = small.filter((c) => c.text.includes('p2w'));
    expect(withP2.every((c) => c.pageEnd === 2)).toBe(true);
    expect(small[0]!.pageStart).toBe(1);
    expect(small.at(-1)!.pageStart).toBe(2);
  });

  it('overlaps consecutive chunks by up to the configured overlap', async () => {
    const chunks = await chunkPages([{ page: 1, text: words('w', 200) }], 100, 30);
    const first = chunks[0]!.text.split(' ');
    const second = chunks[1]!.text.split(' ');
    const shared = second.filter((w) => first.includes(w));
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.join(' ').length).toBeLessThanOrEqual(30);
    expect(first.slice(-shared.length)).toEqual(shared);
    const noOverlap = await chunkPages([{ page: 1, text: words('w', 200) }], 100, 0);
    expect(noOverlap[1]!.text.split(' ').some((w) => noOverlap[0]!.text.split(' ').includes(w))).toBe(false);
  });
});
