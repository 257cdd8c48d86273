// A page that is one scan at the resolution asked is read from its image instead of rendered
// (extract/pdfium-scan-image.ts): the pixels must be the scan's own, and every page that
// rendering would draw differently must still be rendered. PDFium in this process, no servers.
import { PDFDocument, PDFName, PDFOperator, PDFOperatorNames, clip, degrees, endPath, popGraphicsState, pushGraphicsState, rectangle, rgb, type PDFPage } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Extractor, RenderedPage } from '../../src/worker/extract/extractor.ts';
import { loadExtractor } from '../../src/worker/extract/load-extractor.ts';
import { MAX_PIXELS } from '../../src/worker/ocr/ocr-pages.ts';
import { grayPng, type Gray } from './support/scanned-pdf.ts';

const DPI = 300;

/** Gray levels that vary along both axes, so that a shifted, turned or resampled read shows. */
function pattern(width: number, height: number): Gray {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = (x * 7 + y * 13 + ((x * y) % 31)) & 255;
  return { width, height, pixels };
}

type Variant = (doc: PDFDocument, page: PDFPage, img: Gray) => Promise<void>;

/** A one-page PDF of `img` at DPI, drawn to fill the page unless `variant` says otherwise. */
async function scanPdf(img: Gray, variant?: Variant, objectStreams = false): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const [w, h] = [(img.width * 72) / DPI, (img.height * 72) / DPI];
  const page = doc.addPage([w, h]);
  if (variant) await variant(doc, page, img);
  else page.drawImage(await doc.embedPng(grayPng(img)), { x: 0, y: 0, width: w, height: h });
  return doc.save({ useObjectStreams: objectStreams });
}

const plain: Variant = async (doc, page, img) => page.drawImage(await doc.embedPng(grayPng(img)), { x: 0, y: 0, width: page.getWidth(), height: page.getHeight() });

/** Each pixel of `page` without its rows' filter bytes. */
function pixelsOf(page: RenderedPage): Uint8Array {
  const out = new Uint8Array(page.width * page.height);
  for (let y = 0; y < page.height; y++) {
    expect(page.rows[y * (page.width + 1)]).toBe(0);
    out.set(page.rows.subarray(y * (page.width + 1) + 1, (y + 1) * (page.width + 1)), y * page.width);
  }
  return out;
}

let extractor: Extractor;
beforeAll(async () => {
  extractor = await loadExtractor('pdfium', 512 * 1024 * 1024);
});

async function read(pdf: Uint8Array, dpi = DPI, maxPixels = MAX_PIXELS): Promise<RenderedPage> {
  const doc = await extractor.open(pdf);
  try {
    return doc.render!(1, dpi, maxPixels, (p) => ({ ...p, rows: Uint8Array.from(p.rows) }));
  } finally {
    await doc.close();
  }
}

describe('a page that is one scan at the resolution asked', () => {
  // 601 x 751 pixels at 300 dpi is 144.24 x 180.24 points, which rounds back to 600 x 750.
  it.each([
    [600, 750],
    [601, 751],
  ])('is read from its image, %i x %i pixels exactly as scanned', async (width, height) => {
    const img = pattern(width, height);
    const page = await read(await scanPdf(img));
    expect(page).toMatchObject({ fromImage: true, width, height, dpi: DPI, scaledDown: false });
    expect(Buffer.from(pixelsOf(page)).equals(Buffer.from(img.pixels))).toBe(true);
  });

  it('reads as the same page rendered: the same pixels where the renderer draws it alone', async () => {
    const img = pattern(600, 750);
    // A white point outside the image makes PDFium render the page, the image drawn as before.
    const rendered = await read(
      await scanPdf(img, async (doc, page) => {
        await plain(doc, page, img);
        page.drawRectangle({ x: 0, y: 0, width: 0.1, height: 0.1, color: rgb(1, 1, 1), opacity: 0 });
      }),
    );
    expect(rendered.fromImage).toBe(false);
    const [a, b] = [pixelsOf(rendered), img.pixels];
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
    expect(diff / a.length).toBeLessThan(1);
  });
});

describe('a page rendering would draw differently is rendered', () => {
  const img = pattern(600, 750);
  const cases: [string, Variant | undefined, { dpi?: number; maxPixels?: number; width: number; height: number; objectStreams?: boolean }][] = [
    ['turned by the page (/Rotate 90)', async (d, p, i) => (await plain(d, p, i), p.setRotation(degrees(90))), { width: 750, height: 600 }],
    ['upside down by the page (/Rotate 180)', async (d, p, i) => (await plain(d, p, i), p.setRotation(degrees(180))), { width: 600, height: 750 }],
    ['flipped by its matrix', async (d, p, i) => p.drawImage(await d.embedPng(grayPng(i)), { x: 0, y: p.getHeight(), width: p.getWidth(), height: -p.getHeight() }), { width: 600, height: 750 }],
    ['moved off the page\'s corner', async (d, p, i) => p.drawImage(await d.embedPng(grayPng(i)), { x: 10, y: 0, width: p.getWidth(), height: p.getHeight() }), { width: 600, height: 750 }],
    ['stretched past the page', async (d, p, i) => p.drawImage(await d.embedPng(grayPng(i)), { x: 0, y: 0, width: p.getWidth() * 1.1, height: p.getHeight() }), { width: 600, height: 750 }],
    ['asked at another resolution', undefined, { dpi: 150, width: 300, height: 375 }],
    ['scaled down to the pixel cap', undefined, { maxPixels: 100_000, width: 282, height: 353 }],
    ['with another object on it', async (d, p, i) => (await plain(d, p, i), p.drawText('x', { x: 10, y: 10, size: 8 })), { width: 600, height: 750 }],
    [
      'with an annotation',
      async (d, p, i) => {
        await plain(d, p, i);
        const annot = d.context.register(d.context.obj({ Type: 'Annot', Subtype: 'Square', Rect: [10, 10, 60, 60], C: [0, 0, 0] }));
        p.node.set(PDFName.of('Annots'), d.context.obj([annot]));
      },
      { width: 600, height: 750 },
    ],
    [
      'clipped',
      async (d, p, i) => {
        p.pushOperators(pushGraphicsState(), rectangle(0, 0, p.getWidth() / 2, p.getHeight()), clip(), endPath());
        await plain(d, p, i);
        p.pushOperators(popGraphicsState());
      },
      { width: 600, height: 750 },
    ],
    [
      'hidden by optional content',
      async (d, p, i) => {
        await plain(d, p, i);
        const layer = d.context.register(d.context.obj({ Type: 'OCG', Name: 'scan' }));
        d.catalog.set(PDFName.of('OCProperties'), d.context.obj({ OCGs: [layer], D: { OFF: [layer] } }));
      },
      { width: 600, height: 750 },
    ],
    [
      // Compressed: the file's bytes show no /OC, so only the image's own marks tell.
      'in marked content of a hidden layer, every dictionary compressed',
      async (d, p, i) => {
        const layer = d.context.register(d.context.obj({ Type: 'OCG', Name: 'scan' }));
        d.catalog.set(PDFName.of('OCProperties'), d.context.obj({ OCGs: [layer], D: { OFF: [layer] } }));
        p.pushOperators(PDFOperator.of(PDFOperatorNames.BeginMarkedContentSequence, [PDFName.of('OC'), PDFName.of('oc1')]));
        await plain(d, p, i);
        p.pushOperators(PDFOperator.of(PDFOperatorNames.EndMarkedContent));
        p.node.Resources()!.set(PDFName.of('Properties'), d.context.obj({ oc1: layer }));
      },
      { width: 600, height: 750, objectStreams: true },
    ],
    ['with a soft mask (transparency)', async (d, p, i) => p.drawImage(await d.embedPng(grayPng(i, 128)), { x: 0, y: 0, width: p.getWidth(), height: p.getHeight() }), { width: 600, height: 750 }],
  ];

  it.each(cases)('%s', async (_, variant, want) => {
    const pdf = await scanPdf(img, variant, want.objectStreams);
    if (want.objectStreams) expect(Buffer.from(pdf).includes('/OC', 0, 'latin1')).toBe(false);
    const page = await read(pdf, want.dpi, want.maxPixels);
    expect(page.fromImage).toBe(false);
    expect([page.width, page.height]).toEqual([want.width, want.height]);
  });

  it('a page turned by /Rotate 180 reads upside down only when rendered: its first row is the scan last', async () => {
    const page = await read(await scanPdf(img, async (d, p, i) => (await plain(d, p, i), p.setRotation(degrees(180)))));
    const first = pixelsOf(page).subarray(0, 600);
    const last = img.pixels.subarray(img.pixels.length - 600).toReversed();
    let diff = 0;
    for (let x = 0; x < 600; x++) diff += Math.abs(first[x]! - last[x]!);
    expect(diff / 600).toBeLessThan(2);
  });
});
