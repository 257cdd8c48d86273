// Said once at a worker's start, so a missing engine or language shows in its log before a
// document fails on it (each such page still ends OcrFailed, naming what is missing).
import type { OcrConfig } from '../../shared/config/data-plane-config.ts';
import type { Logger } from '../../shared/logger.ts';
import { installedLanguages } from './tesseract.ts';

export async function checkOcrEngine(ocr: OcrConfig, log: Logger): Promise<void> {
  const have = await installedLanguages();
  if (have.length === 0) {
    if (ocr.mode !== 'Off') log.warn('OCR engine (tesseract) not found: pages without a text layer will be left without text', { ocrMode: ocr.mode });
    return;
  }
  const missing = ocr.languages.filter((l) => !have.includes(l));
  if (missing.length) log.warn('OCR language data missing: pages needing it will end OcrFailed', { missing, installed: have });
}
