// Vitest global setup: the OCR engine the worker runs (Tesseract and its English data, from
// Debian's packages, as the worker image carries them) and poppler's pdftoppm, with which the
// tests make scanned PDFs; installed with apt-get when missing.
import { ensureDebianPackages } from '@sluice/devenv/node/debian';

export default async function setup() {
  await ensureDebianPackages(['tesseract-ocr', 'tesseract-ocr-eng', 'poppler-utils'], (s) => console.log(`[ocr] ${s}`));
}
