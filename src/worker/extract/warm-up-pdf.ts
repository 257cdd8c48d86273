// A one-page PDF with a line of text, built in, that a parser process reads before it takes
// work: what an extractor loads lazily on its first document (pdf.js's font and CMap code,
// PDFium's text page machinery, V8's compiled code) is then loaded before its memory is capped.

function pdf(): Uint8Array {
  const content = 'BT /F1 12 Tf 72 720 Td (sluice warm-up) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

export const WARM_UP_TEXT = 'sluice warm-up';

/** A fresh copy each time: pdf.js transfers (detaches) the buffer it is given. */
export const warmUpPdf = (): Uint8Array => pdf();
