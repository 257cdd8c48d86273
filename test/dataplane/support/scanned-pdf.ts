// Scanned PDFs made here: a text PDF rasterised by poppler's pdftoppm (not by Sluice's own
// renderer), each page turned a little and speckled as a scanner leaves it, and written back as
// an image-only PDF (one grayscale PNG a page, at the scan's resolution). Needs pdftoppm.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';

const run = promisify(execFile);

export interface ScanOptions {
  dpi: number;
  /** Degrees the sheet is turned by on the glass. */
  rotate?: number;
  /** Share of pixels flipped to black or white. */
  noise?: number;
  seed?: number;
}

export interface Gray {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** A binary PGM (P5, 8-bit) as pdftoppm -gray writes it. */
export function readPgm(data: Buffer): Gray {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('not a binary PGM');
  const [, w, h] = header;
  return { width: Number(w), height: Number(h), pixels: new Uint8Array(data.subarray(header[0].length)) };
}

/** Turned by `degrees` about its centre, on white (bilinear). */
export function rotate(img: Gray, degrees: number): Gray {
  if (degrees === 0) return img;
  const { width: w, height: h, pixels: src } = img;
  const out = new Uint8Array(w * h).fill(255);
  const [cos, sin] = [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];
  const [cx, cy] = [w / 2, h / 2];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = cos * (x - cx) + sin * (y - cy) + cx;
      const sy = -sin * (x - cx) + cos * (y - cy) + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      const p = (xx: number, yy: number) => src[yy * w + xx]!;
      out[y * w + x] = (p(x0, y0) * (1 - fx) + p(x0 + 1, y0) * fx) * (1 - fy) + (p(x0, y0 + 1) * (1 - fx) + p(x0 + 1, y0 + 1) * fx) * fy;
    }
  }
  return { width: w, height: h, pixels: out };
}

/** Salt and pepper: `share` of the pixels set to black or white, from a seeded sequence. */
export function speckle(img: Gray, share: number, seed = 1): Gray {
  const pixels = new Uint8Array(img.pixels);
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 4294967296);
  const n = Math.round(share * pixels.length);
  for (let i = 0; i < n; i++) pixels[Math.floor(next() * pixels.length)] = next() < 0.5 ? 0 : 255;
  return { ...img, pixels };
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** An 8-bit grayscale PNG; with `alpha`, every pixel that opaque (0 to 255), as a soft mask. */
export function grayPng(img: Gray, alpha?: number): Buffer {
  const bytes = alpha === undefined ? 1 : 2;
  const rows = Buffer.alloc((img.width * bytes + 1) * img.height);
  for (let y = 0; y < img.height; y++) {
    const row = img.pixels.subarray(y * img.width, (y + 1) * img.width);
    const at = y * (img.width * bytes + 1) + 1;
    if (alpha === undefined) rows.set(row, at);
    else for (let x = 0; x < img.width; x++) rows.set([row[x]!, alpha], at + 2 * x);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr.set([8, alpha === undefined ? 0 : 4, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** The pages of `pdf` as pdftoppm renders them in gray at `dpi`. */
export async function rasterise(pdf: Buffer, dpi: number): Promise<Gray[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-scan-'));
  try {
    const src = join(dir, 'in.pdf');
    writeFileSync(src, pdf);
    await run('pdftoppm', ['-gray', '-r', String(dpi), src, join(dir, 'p')], { maxBuffer: 1 << 26 });
    return readdirSync(dir)
      .filter((f) => f.endsWith('.pgm'))
      .sort()
      .map((f) => readPgm(readFileSync(join(dir, f))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Image-only pages, each at its scan's size, from `pages`. */
export async function imagePdf(pages: readonly Gray[], dpi: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (const img of pages) {
    const png = await doc.embedPng(grayPng(img));
    const [w, h] = [(img.width * 72) / dpi, (img.height * 72) / dpi];
    doc.addPage([w, h]).drawImage(png, { x: 0, y: 0, width: w, height: h });
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** `pdf` as a scanner would give it back: image-only pages at `dpi`, turned and speckled. */
export async function scannedPdf(pdf: Buffer, o: ScanOptions): Promise<Buffer> {
  const pages = await rasterise(pdf, o.dpi);
  return imagePdf(pages.map((p, i) => speckle(rotate(p, o.rotate ?? 0), o.noise ?? 0, (o.seed ?? 1) + i)), o.dpi);
}
