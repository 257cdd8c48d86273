// A parser process that one large document left far above its resting size is replaced after
// that document (and the replacement is started at once); small documents reuse the same one.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@sluice/devenv/net';
import { EXTRACTORS } from '../../src/shared/extractor-names.ts';
import { ParserPool, recycleGrowthBytes, type ParserLimits } from '../../src/worker/parser.ts';
import { prose, rawPdf, textPdf } from './support/pdf-factory.ts';

const MEMORY_MIB = 512;
const limits: ParserLimits = { timeoutMs: 60_000, memoryMiB: MEMORY_MIB, maxPages: 100, maxChars: 1_000_000_000 };

/** One page of text that also draws a `mib` MiB image: text extraction never decodes it, but the bytes are the document. */
function largePdf(mib: number): Buffer {
  const width = 1024;
  const height = Math.floor((mib * 1024 * 1024) / (width * 3));
  const pixels = randomBytes(width * height * 3);
  const text = Buffer.from('BT /F1 12 Tf 72 720 Td (a large document with one line of text) Tj ET q 500 0 0 300 50 50 cm /Im1 Do Q');
  const stream = (dict: string, data: Buffer) => Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, Buffer.from('\nendstream')]);
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    stream('', text),
    stream(`/Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8`, pixels),
  ]);
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.each(EXTRACTORS)('parser recycling by size (%s)', (extractor) => {
  it('replaces the process after a document that left it far above its resting size, not after small ones', async () => {
    const pool = new ParserPool(MEMORY_MIB, extractor);
    try {
      const small = await textPdf([prose(71, 1), prose(71, 2)]);
      await pool.parse(small, limits);
      const [first] = pool.idlePids;
      expect(first).toBeDefined();
      for (let i = 0; i < 5; i++) {
        const r = await pool.parse(small, limits);
        expect(r.totalPages).toBe(2);
        expect(pool.idlePids).toEqual([first]);
      }

      const large = largePdf(128);
      const r = await pool.parse(large, limits);
      expect(r.pages[0]!.text).toContain('a large document');
      const [second] = pool.idlePids;
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      expect(pool.idlePids).toHaveLength(1);
      await waitFor('the recycled process to exit', async () => !isRunning(first!), 5_000);

      // The replacement parses as before, and small documents keep it.
      expect((await pool.parse(small, limits)).totalPages).toBe(2);
      expect(pool.idlePids).toEqual([second]);
    } finally {
      pool.close();
    }
  });
});

describe('the recycling threshold', () => {
  it('allows half the memory budget above rest, at least 128 MiB', () => {
    expect(recycleGrowthBytes(512)).toBe(256 * 1024 * 1024);
    expect(recycleGrowthBytes(128)).toBe(128 * 1024 * 1024);
  });
});
