// The engine Sluice did not choose: tesseract.js (Tesseract compiled to WebAssembly) with its
// English data from npm (@tesseract.js-data/eng), on the rendered pages the others read, in one
// worker thread, LSTM only as the native engine runs. Its CPU is this process's (the worker thread is in it),
// its memory the process's peak RSS growth; loading it is counted apart from the pages.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createWorker, OEM } from 'tesseract.js';
import { weightedCer, type EngineFigures } from './engine.ts';
import type { SourcePage } from './scans.ts';

const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export interface TesseractJsFigures extends EngineFigures {
  loadCpuSeconds: number;
  peakRssMiB: number;
}

export async function tesseractJs(images: readonly Buffer[], pages: readonly SourcePage[], dpi: number): Promise<TesseractJsFigures> {
  const langPath = join(dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const l0 = selfCpu();
  const worker = await createWorker('eng', OEM.LSTM_ONLY, { langPath, cacheMethod: 'none', gzip: true });
  const loadCpuSeconds = selfCpu() - l0;
  try {
    await worker.setParameters({ user_defined_dpi: String(dpi) });
    const texts: string[] = [];
    const cpu0 = selfCpu();
    const t0 = performance.now();
    for (const img of images) texts.push((await worker.recognize(img)).data.text);
    const wall = (performance.now() - t0) / 1000;
    const cpu = selfCpu() - cpu0;
    return { pages: pages.length, cpuPerPage: cpu / pages.length, texts, cer: weightedCer(texts, pages), wallSeconds: wall, loadCpuSeconds, peakRssMiB: (peak - rss0) / 2 ** 20 };
  } finally {
    clearInterval(sample);
    await worker.terminate();
  }
}
