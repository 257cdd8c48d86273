// A rendered page as a binary PGM (netpbm's gray image), which Tesseract reads from its standard
// input: no encoder and no temporary file. Pure.
import type { RenderedPage } from '../extract/extractor.ts';

export function toPgm(page: RenderedPage): Buffer {
  const header = Buffer.from(`P5\n${page.width} ${page.height}\n255\n`, 'ascii');
  return Buffer.concat([header, page.pixels]);
}
