// A rendered page as a gray PNG, which Tesseract reads from its standard input. Tesseract copies
// its standard input a byte at a time, so the image's size there is CPU: a page of text deflates
// to a twentieth of its pixels, and the fastest deflate costs less than that copy of the pixels
// would (docs/benchmarks.md, bench:ocr). Pure.
import { crc32, deflateSync, constants } from 'node:zlib';
import type { RenderedPage } from '../extract/extractor.ts';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

export function toPng(page: RenderedPage): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(page.width, 0);
  ihdr.writeUInt32BE(page.height, 4);
  ihdr[8] = 8; // bits per sample
  ihdr[9] = 0; // gray
  // Compression, filter and interlace methods 0: deflate, adaptive filtering, none.
  const idat = deflateSync(page.rows, { level: 1, strategy: constants.Z_RLE });
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}
