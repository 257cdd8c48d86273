// Which pages OCR reads. Pure.
import type { OcrMode } from '../../crd/ocr.ts';

/**
 * Characters a page covered all over by images must hold to count as having text: below it,
 * the text layer is a scanner's stray words or an image's caption, not the page. A page images
 * cover less of needs proportionally fewer (a logo beside a page of text needs none).
 */
export const CHARS_PER_IMAGE_PAGE = 200;

export function needsOcr(mode: OcrMode, chars: number, imageCoverage: number): boolean {
  if (mode === 'Force') return true;
  if (mode === 'Off') return false;
  return chars === 0 || chars < CHARS_PER_IMAGE_PAGE * imageCoverage;
}
