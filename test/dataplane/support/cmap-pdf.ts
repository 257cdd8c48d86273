// A PDF whose text can only be read through one of Adobe's predefined CMaps: a Japanese CID font,
// not embedded, with the UniJIS-UCS2-H encoding. pdf.js reads such text only when it is given the
// directory of its CMap files (cMapUrl); without it the text is dropped without an error.
import { rawPdf } from './pdf-factory.ts';

export const CMAP_TEXT = '日本語のテキスト';

export function cmapPdf(text = CMAP_TEXT): Buffer {
  const hex = [...text].map((c) => c.codePointAt(0)!.toString(16).padStart(4, '0')).join('');
  const content = `BT /F1 24 Tf 72 700 Td <${hex}> Tj ET`;
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiMin-W3 /Encoding /UniJIS-UCS2-H /DescendantFonts [6 0 R] >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiMin-W3 /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> /FontDescriptor 7 0 R >>',
    '<< /Type /FontDescriptor /FontName /HeiseiMin-W3 /Flags 6 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 709 /StemV 69 >>',
  ]);
}
