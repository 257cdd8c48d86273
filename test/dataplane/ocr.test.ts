// OCR of pages without a text layer, through a worker, against scans made here (support/
// scanned-pdf.ts: pdftoppm's rendering of text PDFs, turned and speckled): the text recognised is
// close to the source's, a mixed document has only its scanned pages recognised and is found by
// words of both kinds, Off and Force do what they say, and hostile pages end typed or capped
// with the worker alive.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import pg from 'pg';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorker } from '../../src/worker/main.ts';
import { charDifference } from '../../bench/text-difference.ts';
import { call, upload, waitTerminal, type Json } from './support/client.ts';
import { prose, rawPdf, textPdf } from './support/pdf-factory.ts';
import { scannedPdf } from './support/scanned-pdf.ts';
import { startStack, type Stack } from './support/stack.ts';

const run = promisify(execFile);
let s: Stack;
let key: string;
let db: pg.Pool;
let worker: RunningWorker;
const collection = `ocr-${Date.now()}`;

async function ingest(pdf: Buffer, o: { collection?: string } = {}): Promise<Json> {
  const r = await upload(s.base, key, pdf, { collection: o.collection ?? collection });
  expect(r.status).toBe(202);
  return waitTerminal(s.base, key, r.body.document.id, 180_000);
}

/** A document's text as its chunks hold it, overlaps removed, for comparison with the source's. */
async function documentText(id: string): Promise<string> {
  const { rows } = await db.query<{ text: string }>('SELECT text FROM chunk_texts WHERE document_id = $1 ORDER BY chunk_index', [id]);
  return rows.map((r) => r.text).join('\n');
}

const sources = async (id: string) =>
  (await db.query<{ text_source: string }>('SELECT text_source FROM document_pages WHERE document_id = $1 ORDER BY page', [id])).rows.map((r) => r.text_source);

/** The pages of `a` and `b` interleaved, a first: pdf-lib copies them as they are. */
async function interleave(a: Buffer, b: Buffer): Promise<Buffer> {
  const out = await PDFDocument.create();
  const [da, dbb] = [await PDFDocument.load(a), await PDFDocument.load(b)];
  for (let i = 0; i < Math.max(da.getPageCount(), dbb.getPageCount()); i++) {
    if (i < da.getPageCount()) out.addPage((await out.copyPages(da, [i]))[0]!);
    if (i < dbb.getPageCount()) out.addPage((await out.copyPages(dbb, [i]))[0]!);
  }
  return Buffer.from(await out.save({ useObjectStreams: false }));
}

beforeAll(async () => {
  s = await startStack({ env: { SLUICE_CHUNK_SIZE: '1000', SLUICE_CHUNK_OVERLAP: '0', SLUICE_DOCUMENT_TIMEOUT_SECONDS: '60' } });
  key = s.keys.admin!;
  db = new pg.Pool({ connectionString: s.pgUrl, max: 2 });
  worker = await s.startWorker({ SLUICE_OCR_TIMEOUT_SECONDS: '120' });
});
afterAll(async () => {
  await worker?.stop();
  await db?.end();
  await s?.stop();
});

describe('a scanned corpus', () => {
  const pages = [prose(41, 1, 250), prose(41, 2, 250)];
  it.each([
    [300, 0.02],
    [150, 0.08],
  ])('at %i dpi, turned and speckled, is recognised to within a character error rate of %d', async (dpi, bound) => {
    const doc = await ingest(await scannedPdf(await textPdf(pages), { dpi, rotate: 0.6, noise: 0.002, seed: dpi }));
    expect(doc).toMatchObject({ state: 'succeeded', pages: 2, pagesOcr: 2, pagesWithoutText: 0 });
    expect(await sources(doc.id)).toEqual(['ocr', 'ocr']);
    const cer = charDifference(await documentText(doc.id), pages.join('\n'));
    console.log(`[ocr] ${dpi} dpi: character error rate ${(cer * 100).toFixed(2)} %`);
    expect(cer).toBeLessThanOrEqual(bound);
  });

  it('reads the example handbook scanned at 300 dpi about as poppler reads the original', async () => {
    const path = new URL('../../examples/employee-handbook.pdf', import.meta.url).pathname;
    const doc = await ingest(await scannedPdf(readFileSync(path), { dpi: 300, rotate: -0.4, noise: 0.001 }));
    expect(doc.state).toBe('succeeded');
    expect(doc.pagesOcr).toBe(doc.pages);
    const cer = charDifference(await documentText(doc.id), (await run('pdftotext', [path, '-'])).stdout);
    console.log(`[ocr] the handbook at 300 dpi: character error rate ${(cer * 100).toFixed(2)} %`);
    expect(cer).toBeLessThanOrEqual(0.05);
  });
});

describe('a document of text pages and scanned pages', () => {
  let doc: Json;
  beforeAll(async () => {
    const text = await textPdf([`The harbourmaster logged the quince shipment. ${prose(42, 1, 150)}`, `Both signed the ledger on Tuesday. ${prose(42, 2, 150)}`]);
    const scanned = await scannedPdf(await textPdf([`The zeppelin mooring fee was waived. ${prose(43, 1, 150)}`, `Lamplighters filed the petition. ${prose(43, 2, 150)}`]), { dpi: 300, rotate: 0.3 });
    doc = await ingest(await interleave(text, scanned));
  }, 240_000);

  it('has only its scanned pages recognised', async () => {
    expect(doc).toMatchObject({ state: 'succeeded', pages: 4, pagesOcr: 2, pagesWithoutText: 0 });
    expect(await sources(doc.id)).toEqual(['native', 'ocr', 'native', 'ocr']);
  });

  it('is found by words of both kinds, each hit saying where its text came from', async () => {
    for (const [query, page, source] of [
      ['harbourmaster quince shipment', 1, 'native'],
      ['zeppelin mooring fee waived', 2, 'ocr'],
      ['lamplighters petition', 4, 'ocr'],
    ] as const) {
      const r = await call(s.base, key, 'POST', '/v1/search', { collection, query, mode: 'lexical', documentId: doc.id, limit: 1 });
      expect(r.body.results[0], query).toMatchObject({ documentId: doc.id, pageStart: page, textSource: source });
    }
  });
});

describe('OCR modes', () => {
  it('Off: a scanned document fails NoTextLayer, saying OCR is off', async () => {
    const w = await s.startWorker({ SLUICE_OCR_MODE: 'Off' });
    await worker.stop();
    try {
      const doc = await ingest(await scannedPdf(await textPdf([prose(44, 1, 100)]), { dpi: 150 }));
      expect(doc).toMatchObject({ state: 'failed', error: { type: 'NoTextLayer' } });
      expect(doc.error.message).toMatch(/none of the 1 pages has a text layer, and OCR is off/);
    } finally {
      await w.stop();
      worker = await s.startWorker({ SLUICE_OCR_TIMEOUT_SECONDS: '120' });
    }
  });

  it('Force: pages with a text layer are recognised too', async () => {
    const w = await s.startWorker({ SLUICE_OCR_MODE: 'Force', SLUICE_OCR_DPI: '150' });
    await worker.stop();
    try {
      const doc = await ingest(await textPdf([`Forced recognition of the walrus inventory. ${prose(45, 1, 60)}`, prose(45, 2, 60)]));
      expect(doc).toMatchObject({ state: 'succeeded', pages: 2, pagesOcr: 2 });
      expect(await sources(doc.id)).toEqual(['ocr', 'ocr']);
    } finally {
      await w.stop();
      worker = await s.startWorker({ SLUICE_OCR_TIMEOUT_SECONDS: '120' });
    }
  });
});

describe('hostile pages', () => {
  /** One page of `pw` x `ph` points covered by an image declaring `w` x `h` gray pixels, its data `data` (Flate). */
  const imagePage = (pw: number, ph: number, w: number, h: number, data: Buffer) => {
    const content = Buffer.from(`q ${pw} 0 0 ${ph} 0 0 cm /Im0 Do Q\n`);
    return rawPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${pw} ${ph}] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>`,
      Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream')]),
      Buffer.concat([
        Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${data.length} >>\nstream\n`),
        data,
        Buffer.from('\nendstream'),
      ]),
    ]);
  };

  it('a page the largest PDF allows, with an image declaring 20,000 x 20,000 pixels, is rendered scaled down and read', async () => {
    // The image's data stops after a twentieth of its rows: declared, not delivered.
    const doc = await ingest(imagePage(14400, 14400, 20000, 20000, deflateSync(Buffer.alloc(20000 * 1000, 255))));
    expect(doc).toMatchObject({ state: 'failed', error: { type: 'NoTextLayer' } });
    expect(doc.error.message).toMatch(/OCR recognised no text on the 1 it read/);
  });

  it('a corrupt embedded image leaves its page without text, typed, and the worker goes on', async () => {
    const doc = await ingest(imagePage(612, 792, 2550, 3300, Buffer.from('this is not a deflate stream at all')));
    expect((await ingest(await textPdf([prose(47, 1, 80)]))).state).toBe('succeeded');
    expect(doc.state).toBe('failed');
    expect(['NoTextLayer', 'OcrFailed']).toContain(doc.error.type);
  });

  it('a page past its time fails OcrTimeout, and the worker goes on to the next document', async () => {
    const w = await s.startWorker({ SLUICE_OCR_TIMEOUT_SECONDS: '1', SLUICE_OCR_DPI: '600' });
    await worker.stop();
    try {
      const dense = await scannedPdf(await textPdf([prose(46, 1, 700)]), { dpi: 300 });
      const doc = await ingest(dense);
      expect(doc).toMatchObject({ state: 'failed', error: { type: 'OcrTimeout' } });
      expect(doc.error.message).toMatch(/page 1: recognising the page took longer than 1 s/);
      expect((await ingest(await textPdf([prose(46, 2, 100)]))).state).toBe('succeeded');
    } finally {
      await w.stop();
      worker = await s.startWorker({ SLUICE_OCR_TIMEOUT_SECONDS: '120' });
    }
  });
});
