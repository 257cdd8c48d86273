// The scanned corpus of bench:ocr: prose pages of Debian's documentation PDFs (real-world-
// corpus.ts), each rasterised alone by poppler's pdftoppm and put back as an image-only page,
// with poppler's pdftotext of the same page as the reference text. A page counts as prose when
// its text is long and mostly letters, so the error rate is about reading text, not formulae.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { imagePdf, readPgm, rotate, speckle, type Gray } from '../../test/dataplane/support/scanned-pdf.ts';
import type { RealWorldFile } from '../real-world-corpus.ts';

const run = promisify(execFile);

export interface SourcePage {
  name: string;
  path: string;
  page: number;
  reference: string;
}

/** Where in a document pages are taken from (shares of its length), unless told. */
const PLACES = [0.3, 0.55, 0.8];
const MIN_CHARS = 1200;
const MIN_LETTER_SHARE = 0.7;

async function pageText(path: string, page: number): Promise<string> {
  return (await run('pdftotext', ['-q', '-f', String(page), '-l', String(page), path, '-'], { maxBuffer: 1 << 24 })).stdout.replace(/\f/g, '');
}

function isProse(text: string): boolean {
  const chars = text.replace(/\s+/g, '');
  return chars.length >= MIN_CHARS && (chars.match(/[A-Za-z]/g)?.length ?? 0) / chars.length >= MIN_LETTER_SHARE;
}

/** Up to `count` prose pages, at most places.length a document, the same on every run. */
export async function prosePages(files: readonly RealWorldFile[], count: number, places: readonly number[] = PLACES): Promise<SourcePage[]> {
  const out: SourcePage[] = [];
  for (const f of files) {
    for (const share of places) {
      if (out.length >= count) return out;
      const page = Math.max(1, Math.round(share * f.pages));
      if (out.some((p) => p.path === f.path && p.page === page)) continue;
      const reference = await pageText(f.path, page).catch(() => '');
      if (isProse(reference)) out.push({ name: f.name, path: f.path, page, reference });
    }
  }
  return out;
}

/** One page as pdftoppm renders it in gray at `dpi`. */
export async function rasterisePage(p: SourcePage, dpi: number): Promise<Gray> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-scan-'));
  try {
    await run('pdftoppm', ['-gray', '-r', String(dpi), '-f', String(p.page), '-l', String(p.page), p.path, join(dir, 'p')], { maxBuffer: 1 << 26 });
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.pgm'));
    if (!file) throw new Error(`pdftoppm rendered nothing of ${p.name} page ${p.page}`);
    return readPgm(readFileSync(join(dir, file)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ScanStyle {
  dpi: number;
  /** Turned by this many degrees and speckled, as a sheet on a scanner's glass; clean when absent. */
  scanner?: { rotate: number; noise: number };
}

/** `pages` as one image-only PDF, a page each. */
export async function scannedDocument(pages: readonly SourcePage[], style: ScanStyle): Promise<Buffer> {
  const images: Gray[] = [];
  for (const [i, p] of pages.entries()) {
    const img = await rasterisePage(p, style.dpi);
    images.push(style.scanner ? speckle(rotate(img, style.scanner.rotate), style.scanner.noise, i + 1) : img);
  }
  return imagePdf(images, style.dpi);
}
