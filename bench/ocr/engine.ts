// Sluice's OCR path against Tesseract's command line on the same images: the parser process
// has PDFium read each image-only page (its one image, or a render) and hands it to one Tesseract
// process (as the worker runs it), while the reference has the same pages read in this process
// beforehand, encoded as the worker encodes them (PNG), and runs `tesseract` on each file itself,
// with the same language and one OpenMP thread. CPU is read from /proc for every process that
// does the work. The error rate is the character difference from
// pdftotext's text of the page before it was scanned (text-difference.ts).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadExtractor } from '../../src/worker/extract/load-extractor.ts';
import { MAX_PIXELS } from '../../src/worker/ocr/ocr-pages.ts';
import { toPng } from '../../src/worker/ocr/png.ts';
import { ParserProcess, type ParserLimits } from '../../src/worker/parser.ts';
import { treeCpuSeconds, waitedChildrenCpuSeconds } from '../cpu.ts';
import { charDifference } from '../text-difference.ts';
import type { SourcePage } from './scans.ts';

const run = promisify(execFile);
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export interface EngineFigures {
  pages: number;
  cpuPerPage: number;
  /** Each page's text. */
  texts: string[];
  /** Character-weighted difference from the reference text. */
  cer: number;
  wallSeconds: number;
}

/** Characters of `pages`' references weight their error rates. */
export function weightedCer(texts: readonly string[], pages: readonly SourcePage[]): number {
  let diff = 0;
  let chars = 0;
  for (const [i, p] of pages.entries()) {
    const n = p.reference.replace(/\s+/g, '').length;
    diff += charDifference(texts[i] ?? '', p.reference) * n;
    chars += n;
  }
  return diff / chars;
}

const limits = (dpi: number): ParserLimits => ({
  timeoutMs: 120_000,
  memoryMiB: 512,
  maxPages: 100_000,
  maxChars: 100_000_000,
  ocr: { mode: 'Auto', languages: ['eng'], dpi, maxPages: 100_000, timeoutMs: 120_000 },
});

/** A parser process as a worker keeps one: started, and past its first document. */
export async function warmParser(warmUp: Buffer): Promise<ParserProcess> {
  const parser = new ParserProcess(512, 'pdfium');
  await parser.parse(warmUp, limits(150));
  return parser;
}

/** The scanned document read by `parser` with OCR on (Auto, `dpi`). */
export async function sluiceRead(parser: ParserProcess, pdf: Buffer, pages: readonly SourcePage[], dpi: number): Promise<EngineFigures> {
  const pid = parser.pid!;
  const cpu0 = selfCpu() + treeCpuSeconds(pid);
  const t0 = performance.now();
  const parsed = await parser.parse(pdf, limits(dpi));
  const wall = (performance.now() - t0) / 1000;
  const cpu = selfCpu() + treeCpuSeconds(pid) - cpu0;
  if (parsed.ocr.pages !== pages.length) throw new Error(`Sluice recognised ${parsed.ocr.pages} of ${pages.length} pages: ${parsed.ocr.lastFailure?.message ?? ''}`);
  const texts = pages.map((_, i) => parsed.pages.find((p) => p.page === i + 1)?.text ?? '');
  return { pages: pages.length, cpuPerPage: cpu / pages.length, texts, cer: weightedCer(texts, pages), wallSeconds: wall };
}

export interface RenderedImages {
  files: string[];
  images: Buffer[];
  /** CPU a page of PDFium's render and of the PNG encoding, in this process, with its code warm. */
  renderCpuPerPage: number;
  encodeCpuPerPage: number;
  dispose(): void;
}

/** The one page of each document read by PDFium here, as the images both engines read; `dispose` removes them. */
export async function renderedPages(pdfs: readonly Buffer[], dpi: number): Promise<RenderedImages> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-ocr-'));
  const extractor = await loadExtractor('pdfium', 1024 * 1024 * 1024);
  const docs = await Promise.all(pdfs.map((pdf) => extractor.open(new Uint8Array(pdf))));
  try {
    // PDFium's part and the PNG encoding's, each timed apart; the rows live only during the call.
    let renderCpu = 0;
    let encodeCpu = 0;
    const render = () =>
      docs.map((doc) => {
        const c0 = selfCpu();
        return doc.render!(1, dpi, MAX_PIXELS, (img) => {
          const c1 = selfCpu();
          const png = toPng(img);
          renderCpu += c1 - c0;
          encodeCpu += selfCpu() - c1;
          return png;
        });
      });
    render(); // V8 compiles PDFium's render code as it runs: time it as a parser past its first documents has it
    [renderCpu, encodeCpu] = [0, 0];
    const images = render();
    const files = images.map((img, i) => {
      const file = join(dir, `p${i + 1}.png`);
      writeFileSync(file, img);
      return file;
    });
    const n = pdfs.length;
    return { files, images, renderCpuPerPage: renderCpu / n, encodeCpuPerPage: encodeCpu / n, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  } finally {
    for (const doc of docs) await doc.close();
  }
}

/** `tesseract FILE stdout` on each rendered page. */
export async function tesseractCli(files: readonly string[], pages: readonly SourcePage[], dpi: number): Promise<EngineFigures> {
  const texts: string[] = [];
  const cpu0 = waitedChildrenCpuSeconds();
  const t0 = performance.now();
  for (const f of files) {
    const { stdout } = await run('tesseract', [f, 'stdout', '-l', 'eng', '--dpi', String(dpi)], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, maxBuffer: 1 << 24 });
    texts.push(stdout.replace(/\f/g, ''));
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = waitedChildrenCpuSeconds() - cpu0;
  return { pages: pages.length, cpuPerPage: cpu / pages.length, texts, cer: weightedCer(texts, pages), wallSeconds: wall };
}

/** Figures of several runs over consecutive pages as one over them all. */
function together(parts: readonly EngineFigures[], pages: readonly SourcePage[]): EngineFigures {
  const texts = parts.flatMap((f) => f.texts);
  const cpu = parts.reduce((a, f) => a + f.cpuPerPage * f.pages, 0);
  return { pages: texts.length, cpuPerPage: cpu / texts.length, texts, cer: weightedCer(texts, pages), wallSeconds: parts.reduce((a, f) => a + f.wallSeconds, 0) };
}

/**
 * Sluice and the CLI a page each in turn, so that the machine's drift (VM neighbours, clock
 * changes) weighs on both alike: page i is a document of its own for Sluice, and its image file
 * for the CLI.
 */
export async function alternating(parser: ParserProcess, pdfs: readonly Buffer[], images: RenderedImages, pages: readonly SourcePage[], dpi: number): Promise<{ sluice: EngineFigures; cli: EngineFigures }> {
  const sluice: EngineFigures[] = [];
  const cli: EngineFigures[] = [];
  for (const [i, page] of pages.entries()) {
    sluice.push(await sluiceRead(parser, pdfs[i]!, [page], dpi));
    cli.push(await tesseractCli([images.files[i]!], [page], dpi));
  }
  return { sluice: together(sluice, pages), cli: together(cli, pages) };
}
