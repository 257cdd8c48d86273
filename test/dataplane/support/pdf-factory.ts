// Generates the PDFs the data-plane tests and benchmarks use: real multi-page documents written
// with pdf-lib, and hostile ones written byte by byte (bombs, encrypted, truncated, huge page
// counts), so that nothing binary is committed.
import { createDeflate, deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A text PDF; pages[i] is the text of page i+1, wrapped to lines. */
export async function textPdf(pages: readonly string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = doc.addPage([612, 792]);
    const lines = wrap(text, 95);
    let y = 760;
    for (const line of lines) {
      if (y < 30) break;
      page.drawText(line, { x: 36, y, size: 10, font });
      y -= 13;
    }
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/)) {
      if (line && line.length + word.length + 1 > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}

const WORDS = (
  'river stone harbour lantern copper meadow signal orchard thunder velvet glacier compass ' +
  'ember falcon garnet hollow island juniper kettle lattice marble nectar oyster pepper quartz ' +
  'saffron timber umbrella violet willow yonder zephyr anchor bramble cinder dahlia'
).split(' ');

/** Deterministic prose for page n of document d (seeded, so runs are comparable). */
export function prose(d: number, n: number, words = 450): string {
  let x = (d * 7919 + n * 104729) >>> 0 || 1;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push(WORDS[x % WORDS.length]!);
    if (i % 12 === 11) out[out.length - 1] += '.';
  }
  return out.join(' ');
}

/** Assembles a PDF from object bodies (object i+1 = bodies[i]) with a correct xref table. */
export function rawPdf(bodies: readonly (string | Buffer)[], trailerExtra = ''): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  bodies.forEach((body, i) => {
    offsets.push(offset);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), typeof body === 'string' ? Buffer.from(body, 'latin1') : body, Buffer.from('\nendobj\n')]);
    parts.push(b);
    offset += b.length;
  });
  const xref = [`xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${offset}\n%%EOF\n`));
  return Buffer.concat(parts);
}

function stream(dict: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, Buffer.from('\nendstream')]);
}

const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

/** One page whose content stream is `content`, Flate-compressed `layers` times. */
export function onePagePdf(content: Buffer, layers = 1): Buffer {
  let data = content;
  for (let i = 0; i < layers; i++) data = deflateSync(data, { level: 9 });
  const filter = layers === 0 ? '' : `/Filter [${Array(layers).fill('/FlateDecode').join(' ')}]`;
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>`,
    FONT,
    stream(filter, data),
  ]);
}

/** Deflates `size` bytes of `byte` without ever holding them, then deflates the result again. */
export async function bombStream(size: number, byte = 0x20): Promise<Buffer> {
  const once = await new Promise<Buffer>((resolve, reject) => {
    const z = createDeflate({ level: 9 });
    const out: Buffer[] = [];
    z.on('data', (c: Buffer) => out.push(c));
    z.on('end', () => resolve(Buffer.concat(out)));
    z.on('error', reject);
    const block = Buffer.alloc(1 << 20, byte);
    let left = size;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, block.length);
        left -= n;
        if (!z.write(n === block.length ? block : block.subarray(0, n))) return void z.once('drain', pump);
      }
      z.end();
    };
    pump();
  });
  return deflateSync(once, { level: 9 });
}

/** A Flate bomb: a few KB on disk that decode (two Flate layers) to `decodedBytes`. */
export async function flateBombPdf(decodedBytes = 2 * 1024 ** 3): Promise<Buffer> {
  const data = await bombStream(decodedBytes);
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>`,
    FONT,
    stream('/Filter [/FlateDecode /FlateDecode]', data),
  ]);
}

/** One page that draws `chars` characters of text, compressed to a small file. */
export function textBombPdf(chars = 64 * 1024 * 1024): Buffer {
  // Tiny type on tightly spaced lines, so that every line stays inside the page.
  const line = `(${'W'.repeat(1000)}) Tj 0 -0.005 Td\n`;
  const body = Buffer.from(`BT /F1 0.005 Tf 1 780 Td\n${line.repeat(Math.ceil(chars / 1000))}ET\n`);
  return onePagePdf(body, 2);
}

/** A PDF whose page tree claims `count` pages (all sharing one small content stream). */
export function manyPagesPdf(count = 20_000): Buffer {
  const kids: string[] = [];
  for (let i = 0; i < count; i++) kids.push(`${i + 5} 0 R`);
  const bodies: string[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${count} >>`,
    FONT,
    `<< /Length 38 >>\nstream\nBT /F1 12 Tf 72 700 Td (page) Tj ET  \nendstream`,
  ];
  for (let i = 0; i < count; i++) bodies.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>`);
  return rawPdf(bodies);
}

/** Encrypted with the standard security handler and a user password that is not empty. */
export function encryptedPdf(): Buffer {
  const hex = (n: number) => randomBytes(n).toString('hex');
  return rawPdf(
    [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>`,
      FONT,
      stream('', randomBytes(64)),
      `<< /Filter /Standard /V 1 /R 2 /Length 40 /O <${hex(32)}> /U <${hex(32)}> /P -44 >>`,
    ],
    `/Encrypt 6 0 R /ID [<${hex(16)}> <${hex(16)}>] `,
  );
}

/** A PDF with a valid header whose body is noise. */
export function garbageWithHeader(bytes = 64 * 1024): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(bytes)]);
}

/** A scanned-looking PDF: pages with no text at all. */
export function noTextPdf(): Buffer {
  return onePagePdf(Buffer.from('0 0 1 rg 10 10 100 100 re f\n'));
}
