// The pure parts of OCR: which pages are read, the image handed to Tesseract, what pages' sources
// make of chunks and counts, and its settings.
import type { Queue } from 'bullmq';
import { createWorkerMetrics, recordOcr } from '../../../src/worker/metrics.ts';
import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseJobBody } from '../../../src/api/job-body.ts';
import { loadWorkerConfig } from '../../../src/shared/config/data-plane-config.ts';
import { documentSettings } from '../../../src/worker/job-document.ts';
import { CHARS_PER_IMAGE_PAGE, needsOcr } from '../../../src/worker/ocr/needs-ocr.ts';
import { toPng } from '../../../src/worker/ocr/png.ts';
import { chunkTextSource, pageCounts, pageRecords } from '../../../src/worker/page-sources.ts';

const env = { SLUICE_POSTGRES_URL: 'postgres://u@pg/db', SLUICE_CHROMA_URL: 'http://chroma:8000' };

describe('which pages OCR reads', () => {
  it.each([
    ['Auto', 0, 0, true, 'an empty text layer, whatever covers the page'],
    ['Auto', 0, 1, true, 'a scan'],
    ['Auto', 40, 1, true, "a scan with a scanner's stray words"],
    ['Auto', CHARS_PER_IMAGE_PAGE, 1, false, 'a page of images with its text'],
    ['Auto', 40, 0.1, false, 'a little text beside a logo'],
    ['Auto', 2000, 0, false, 'a page of text'],
    ['Off', 0, 1, false, 'nothing when off'],
    ['Force', 2000, 0, true, 'everything when forced'],
  ] as const)('%s, %i characters, images over %d of it: %s (%s)', (mode, chars, coverage, want, _why) => {
    expect(needsOcr(mode, chars, coverage)).toBe(want);
  });
});

describe('the image handed to Tesseract', () => {
  /** The chunks of a PNG, each checked against its CRC. */
  function chunks(png: Buffer): { type: string; data: Buffer }[] {
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const out = [];
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at);
      const typeAndData = png.subarray(at + 4, at + 8 + length);
      expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(typeAndData));
      out.push({ type: typeAndData.subarray(0, 4).toString('ascii'), data: Buffer.from(typeAndData.subarray(4)) });
      at += 12 + length;
    }
    return out;
  }

  it('is an 8-bit gray PNG of exactly the rendered rows', () => {
    // Each row: filter type 0 (none), then its pixels.
    const rows = Uint8Array.from([0, 0, 128, 255, 0, 1, 2, 3]);
    const parts = chunks(toPng({ width: 3, height: 2, rows, scaledDown: false, dpi: 300, fromImage: false }));
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = parts[0]!.data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ...ihdr.subarray(8)]).toEqual([3, 2, 8, 0, 0, 0, 0]);
    expect([...inflateSync(parts[1]!.data)]).toEqual([...rows]);
  });

  it('is far smaller than the pixels for a page of text', () => {
    const width = 2480;
    const height = 3508;
    const rows = new Uint8Array((width + 1) * height).fill(255);
    for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0;
    for (let y = 300; y < 3200; y += 40) for (let x = 200; x < 2280; x += 1 + (y % 7)) rows.fill(0, y * (width + 1) + 1 + x, y * (width + 1) + 1 + x + 3);
    expect(toPng({ width, height, rows, scaledDown: false, dpi: 300, fromImage: false }).length).toBeLessThan((width * height) / 10);
  });
});

describe("pages' text sources", () => {
  const sources = new Map([
    [1, 'native'],
    [2, 'ocr'],
    [3, 'none'],
    [4, 'native'],
  ] as const);
  it('make a chunk ocr when any page it spans was recognised', () => {
    expect(chunkTextSource({ pageStart: 1, pageEnd: 1 }, sources)).toBe('native');
    expect(chunkTextSource({ pageStart: 1, pageEnd: 2 }, sources)).toBe('ocr');
    expect(chunkTextSource({ pageStart: 3, pageEnd: 4 }, sources)).toBe('native');
  });

  it('count the pages recognised and the pages left without text', () => {
    const pages = [...sources].map(([page, source]) => ({ page, source, text: source === 'none' ? '' : 'x'.repeat(page) }));
    expect(pageCounts(pages)).toEqual({ ocr: 1, withoutText: 1 });
    expect(pageRecords(pages)).toEqual([
      { page: 1, source: 'native', chars: 1 },
      { page: 2, source: 'ocr', chars: 2 },
      { page: 3, source: 'none', chars: 0 },
      { page: 4, source: 'native', chars: 4 },
    ]);
  });
});

describe('OCR settings', () => {
  it('default to Auto in English at 300 dpi, and read SLUICE_OCR_*', () => {
    expect(loadWorkerConfig(env).ocr).toEqual({ mode: 'Auto', languages: ['eng'], dpi: 300, maxPagesPerDocument: 500, timeoutSecondsPerPage: 60 });
    const cfg = loadWorkerConfig({ ...env, SLUICE_OCR_MODE: 'Force', SLUICE_OCR_LANGUAGES: 'deu,eng', SLUICE_OCR_DPI: '200', SLUICE_OCR_MAX_PAGES: '5', SLUICE_OCR_TIMEOUT_SECONDS: '9' });
    expect(cfg.ocr).toEqual({ mode: 'Force', languages: ['deu', 'eng'], dpi: 200, maxPagesPerDocument: 5, timeoutSecondsPerPage: 9 });
  });

  it('refuse a language the image does not carry, naming the variable', () => {
    expect(() => loadWorkerConfig({ ...env, SLUICE_OCR_LANGUAGES: 'eng,klingon' })).toThrow(/SLUICE_OCR_LANGUAGES must be a comma-separated list of eng, deu, fra, spa, got "eng,klingon"/);
    expect(() => loadWorkerConfig({ ...env, SLUICE_OCR_MODE: 'Sometimes' })).toThrow(/SLUICE_OCR_MODE must be one of Off, Auto, Force/);
  });

  it('are a job’s own where it overrides mode or languages', () => {
    const cfg = loadWorkerConfig(env);
    const spec = parseJobBody({ collection: 'docs', sources: { inline: [{ uri: 'https://example.com/a.pdf' }] }, ocr: { mode: 'Off', languages: ['fra'] } });
    expect(documentSettings(cfg, spec).ocr).toEqual({ mode: 'Off', languages: ['fra'], dpi: 300, maxPages: 500, timeoutMs: 60_000 });
    expect(documentSettings(cfg, undefined).ocr.mode).toBe('Auto');
  });

  it('refuse a job’s unknown mode or language naming the field', () => {
    const job = (ocr: unknown) => () => parseJobBody({ collection: 'docs', sources: { inline: [{ uri: 'https://example.com/a.pdf' }] }, ocr });
    expect(job({ mode: 'Never' })).toThrow(/ocr.mode: must be one of Off, Auto, Force/);
    expect(job({ languages: ['eng', 'xx'] })).toThrow(/ocr.languages\[1\]: must be one of eng, deu, fra, spa/);
    expect(job({ languages: [] })).toThrow(/ocr.languages: must be a list of 1 to 4 languages/);
  });
});

describe("a document's OCR in the worker's metrics", () => {
  it('counts pages by outcome, each page, and the document under the stage ocr', async () => {
    const metrics = createWorkerMetrics({} as Queue);
    recordOcr(metrics, { pages: 3, skipped: 1, scaledDown: 0, seconds: 6.5, pageSeconds: [2, 2, 2.5] });
    recordOcr(metrics, { pages: 0, skipped: 0, scaledDown: 0, seconds: 0, pageSeconds: [] });
    expect(await metrics.registry.getSingleMetricAsString('sluice_ocr_pages_total')).toMatch(/outcome="recognised"} 3\n.*outcome="unread"} 1/s);
    expect(await metrics.registry.getSingleMetricAsString('sluice_ocr_page_seconds')).toMatch(/sluice_ocr_page_seconds_count 3/);
    const stages = await metrics.registry.getSingleMetricAsString('sluice_stage_duration_seconds');
    expect(stages).toMatch(/sluice_stage_duration_seconds_count\{stage="ocr"\} 1$/m);
    expect(stages).toMatch(/sluice_stage_duration_seconds_sum\{stage="ocr"\} 6.5$/m);
  });
});
