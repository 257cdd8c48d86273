// OCR: prose pages of Debian's documentation PDFs (real-world-corpus.ts), scanned here (scans.ts),
//   1. read by Sluice's OCR path (the parser process: PDFium renders, Tesseract recognises), by
//      Tesseract's command line and by tesseract.js (the engine not chosen), on the same rendered
//      images: pages per CPU-second, Sluice's overhead over the command line (target: at most
//      15 %), and the character error rate against pdftotext's text of the page before it was
//      scanned (target: at most 2 % at 300 dpi on clean scans), at 300 and 150 dpi, and at 300 dpi
//      on scanner-like pages (turned and speckled);
//   2. a job of scanned documents end to end (API, workers, autoscaling policy): pages a second,
//      and the worker count the autoscaler chose.
//   npm run bench:ocr   (BENCH_OCR_PAGES=24 BENCH_OCR_ROUNDS=3 warm rounds; BENCH_OCR_JOB_DOCS=10 BENCH_OCR_JOB_PAGES=10 BENCH_MAX_WORKERS=4)
// Installs poppler-utils and tesseract-ocr (with its English data) with apt-get if missing.
import os from 'node:os';
import { ensureDebianPackages } from '@sluice/devenv/node/debian';
import { realWorldCorpus } from './real-world-corpus.ts';
import { alternating, renderedPages, warmParser, type EngineFigures } from './ocr/engine.ts';
import { scannedJobRun } from './ocr/job-run.ts';
import { prosePages, scannedDocument, type ScanStyle } from './ocr/scans.ts';
import { tesseractJs } from './ocr/tesseract-js.ts';

await ensureDebianPackages(['poppler-utils', 'tesseract-ocr', 'tesseract-ocr-eng'], (s) => console.error(`[bench:ocr] ${s}`));
const PAGES = Number(process.env.BENCH_OCR_PAGES ?? 24);
const JOB_DOCS = Number(process.env.BENCH_OCR_JOB_DOCS ?? 10);
const JOB_PAGES = Number(process.env.BENCH_OCR_JOB_PAGES ?? 10);
const MAX_WORKERS = Number(process.env.BENCH_MAX_WORKERS ?? 4);
const ROUNDS = Number(process.env.BENCH_OCR_ROUNDS ?? 3);
const SCANNER = { rotate: 0.6, noise: 0.002 };

const { files } = await realWorldCorpus(1000);
const pages = await prosePages(files, PAGES);
const docs = new Set(pages.map((p) => p.name));
console.log(`scanned corpus: ${pages.length} prose pages of ${docs.size} Debian documentation PDFs`);
console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}, load average ${os.loadavg()[0]!.toFixed(2)} at the start`);

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const row = (label: string, f: EngineFigures) =>
  `  ${label.padEnd(46)} ${(1 / f.cpuPerPage).toFixed(3).padStart(6)} pages/CPU-s  ${f.cpuPerPage.toFixed(2).padStart(5)} CPU-s/page  CER ${pct(f.cer).padStart(8)}  ${f.wallSeconds.toFixed(1)} s`;

console.log(`\nOCR engines on the same rendered images (${pages.length} pages). Sluice and the CLI alternate page by page, for ${ROUNDS} rounds`);
console.log(`after a first that Sluice's parser process reads fresh (V8 compiling PDFium's render code); the median warm round is shown.`);
const warmUp = await scannedDocument(pages.slice(0, 1), { dpi: 150 });
const styles: { label: string; style: ScanStyle }[] = [
  { label: '300 dpi, clean', style: { dpi: 300 } },
  { label: '150 dpi, clean', style: { dpi: 150 } },
  { label: '300 dpi, turned 0.6° and speckled', style: { dpi: 300, scanner: SCANNER } },
];
const median = <T>(xs: T[], by: (x: T) => number): T => [...xs].sort((a, b) => by(a) - by(b))[Math.floor((xs.length - 1) / 2)]!;
let clean300: number | undefined;
for (const { label, style } of styles) {
  const pdfs: Buffer[] = [];
  for (const p of pages) pdfs.push(await scannedDocument([p], style));
  const images = await renderedPages(pdfs, style.dpi);
  const parser = await warmParser(warmUp);
  try {
    const round = () => alternating(parser, pdfs, images, pages, style.dpi);
    const ratio = (r: { sluice: EngineFigures; cli: EngineFigures }) => r.sluice.cpuPerPage / r.cli.cpuPerPage - 1;
    const fresh = await round();
    const rounds: { sluice: EngineFigures; cli: EngineFigures }[] = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await round());
    const sluice = median(rounds.map((r) => r.sluice), (f) => f.cpuPerPage);
    const cli = median(rounds.map((r) => r.cli), (f) => f.cpuPerPage);
    const overhead = median(rounds.map(ratio), (x) => x);
    clean300 ??= sluice.cer;
    console.log(row(`Sluice (parser process + tesseract), ${label}`, sluice));
    console.log(row(`tesseract CLI, ${label}`, cli));
    const js = await tesseractJs(images.images, pages, style.dpi);
    console.log(`${row(`tesseract.js, ${label}`, js)}  (+${js.loadCpuSeconds.toFixed(2)} CPU-s to load, +${js.peakRssMiB.toFixed(0)} MiB RSS)`);
    console.log(`  Sluice's overhead over the CLI at ${label}: ${pct(overhead)} (warm rounds: ${rounds.map((r) => pct(ratio(r))).join(', ')}; fresh: ${pct(ratio(fresh))}; target at most 15 %)`);
    const share = (x: number) => pct(x / cli.cpuPerPage);
    console.log(`    of which, measured apart: PDFium (the page's image read, or the page rendered) ${images.renderCpuPerPage.toFixed(3)} CPU-s/page (${share(images.renderCpuPerPage)}), the PNG encoding ${images.encodeCpuPerPage.toFixed(3)} (${share(images.encodeCpuPerPage)})`);
  } finally {
    parser.kill();
    images.dispose();
  }
}
console.log(`  character error rate at 300 dpi, clean: ${pct(clean300!)} (target at most 2 %: ${clean300! <= 0.02 ? 'met' : 'NOT met'})`);

const jobPages = await prosePages(files, JOB_DOCS * JOB_PAGES, [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
if (jobPages.length < JOB_DOCS * JOB_PAGES) throw new Error(`only ${jobPages.length} prose pages for a job of ${JOB_DOCS} x ${JOB_PAGES}`);
const jobDocs: Buffer[] = [];
for (let i = 0; i < JOB_DOCS; i++) jobDocs.push(await scannedDocument(jobPages.slice(i * JOB_PAGES, (i + 1) * JOB_PAGES), { dpi: 300, scanner: SCANNER }));
const job = await scannedJobRun(jobDocs, JOB_PAGES, MAX_WORKERS);
console.log(`\nA scanned job end to end: ${job.documents} documents x ${JOB_PAGES} pages (300 dpi, turned and speckled), workers as the Builtin policy asks (at most ${MAX_WORKERS})`);
console.log(`  ${job.pages} pages (${job.pagesOcr} recognised) in ${job.seconds.toFixed(1)} s = ${(job.pages / job.seconds).toFixed(2)} pages/s; workers' CPU ${job.workerCpuSeconds.toFixed(0)} s = ${(job.workerCpuSeconds / job.pages).toFixed(2)} CPU-s/page`);
console.log(`  the autoscaler asked for at most ${job.maxDesired} workers; ${job.workersStarted} started`);
for (const d of job.decisions) {
  console.log(`    ${d.at.toFixed(0).padStart(4)} s: desired ${d.desired} (${d.reason}), running ${d.started}; queue waiting ${d.waiting}, active ${d.active}, pages in OCR ${d.ocrPages}`);
}
