// Sample handbooks for the example IngestionJob: a few short multi-page PDFs written with pdf-lib,
// each page about one topic, so that a search of the job's collection points at a page.
import { PDFDocument, StandardFonts } from 'pdf-lib';

const TOPICS: readonly (readonly [string, string])[] = [
  ['Expenses', 'Submit receipts within thirty days. Meals on business travel are reimbursed up to forty euros a day.'],
  ['Remote work', 'Employees may work remotely three days a week. Laptops must use full disk encryption and a screen lock.'],
  ['Security incidents', 'Report a lost laptop or phone to the security desk within one hour, then change every password.'],
  ['Parental leave', 'Parents receive sixteen weeks of paid leave, which may be split into two periods within the first year.'],
  ['Training budget', 'Each employee has a yearly training budget of two thousand euros for courses, books and conferences.'],
  ['Office hours', 'The offices are open from seven to twenty. Visitors sign in at the reception and wear a badge.'],
];

async function handbook(n: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < 3; p++) {
    const [title, text] = TOPICS[(n + p) % TOPICS.length]!;
    const page = doc.addPage([612, 792]);
    page.drawText(`Handbook ${n + 1}, page ${p + 1}: ${title}`, { x: 48, y: 740, size: 16, font });
    page.drawText(text, { x: 48, y: 710, size: 10, font, maxWidth: 516, lineHeight: 13 });
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** `count` sample handbooks as S3 objects under `prefix`. */
export async function sampleHandbooks(count: number, prefix: string): Promise<{ key: string; body: Buffer }[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => ({ key: `${prefix}handbook-${String(i + 1).padStart(2, '0')}.pdf`, body: await handbook(i) })));
}
