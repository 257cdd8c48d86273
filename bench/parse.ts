// Parse throughput of each extractor (PDFium in WebAssembly, pdf.js through pdf-parse), each in
// the limited parser process as the worker runs it, against poppler's pdftotext on the same
// files in the same run, one document at a time, as pages per CPU-second and their ratio; and
// how far each extractor's text is from pdftotext's, page by page. Two corpora: real-world PDFs
// from Debian's documentation packages (fetched on first use, real-world-corpus.ts) and the
// generated one (pdf-lib, Helvetica). CPU is read from /proc for every process that does the
// work, so the ratio is per core whatever runs in parallel. Each extractor reads the corpus twice
// in one parser process: first fresh (started, warmed up on the built-in page and the first
// document), then again with its code compiled by V8's optimizing tier, as a process is after its
// first documents of the up to RECYCLE_AFTER it serves; its start-up CPU is shown apart. Then the full pipeline (parse, chunk,
// embed, store) on the generated corpus, with stores.chroma.storeText on and off, broken down by
// stage, to show where the CPU goes.
//   npm run bench:parse   (BENCH_REAL_DOCS=40; BENCH_DOCS=40 BENCH_PAGES=25 for the generated corpus)
// Installs poppler-utils (pdftotext, pdfinfo) with apt-get if it is missing; the real-world corpus
// needs apt-get and dpkg-deb.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { chunkPages } from '../src/shared/chunking.ts';
import { OfflineEmbedder } from '../src/shared/embedding/offline.ts';
import { DEFAULT_EXTRACTOR, type ExtractorName, EXTRACTORS } from '../src/shared/extractor-names.ts';
import { ParserProcess, RECYCLE_AFTER } from '../src/worker/parser.ts';
import { startChroma } from '@sluice/devenv/chroma';
import { sleep } from '@sluice/devenv/net';
import { ensureDebianPackages } from '@sluice/devenv/node/debian';
import { corpus, type CorpusFile } from './corpus.ts';
import { cpuSeconds, waitedChildrenCpuSeconds } from './cpu.ts';
import { realWorldCorpus } from './real-world-corpus.ts';
import { openStoreUnderTest } from './store-under-test.ts';
import { charDifference } from './text-difference.ts';

const run = promisify(execFile);
// pdftotext and pdfinfo, which the extractors are compared with: installed on first use, as the node's packages are.
await ensureDebianPackages(['poppler-utils'], (s) => console.error(`[bench:parse] ${s}`));
const REAL_DOCS = Number(process.env.BENCH_REAL_DOCS ?? 40);
const DOCS = Number(process.env.BENCH_DOCS ?? 40);
const PAGES = Number(process.env.BENCH_PAGES ?? 25);
/** A page whose characters differ from pdftotext's by more than this share counts as differing. */
const QUALITY_THRESHOLD = 0.1;

const real = await realWorldCorpus(REAL_DOCS);
const generated = await corpus('parse', DOCS, (i) => PAGES + (i % 3) * 5);
const [onePage] = await corpus('parse-1p', 1, () => 1);
const pagesOf = (files: CorpusFile[]) => files.reduce((a, f) => a + f.pages, 0);
const mb = (files: CorpusFile[]) => (files.reduce((a, f) => a + readFileSync(f.path).length, 0) / 1e6).toFixed(1);
console.log(`real-world corpus: ${real.files.length} PDFs, ${pagesOf(real.files)} pages, ${mb(real.files)} MB, from ${real.packages.join(', ')}`);
console.log(`generated corpus: ${generated.length} PDFs, ${pagesOf(generated)} pages, ${mb(generated)} MB (pdf-lib, Helvetica text)`);
console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}, load average ${os.loadavg()[0]!.toFixed(2)} at the start`);

const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const popplerCpu = () => cpuSeconds('self') + waitedChildrenCpuSeconds();
const limits = { timeoutMs: 120_000, memoryMiB: 512, maxPages: 100_000, maxChars: 100_000_000 };

interface Measured {
  cpu: number;
  /** The same process reading the same files a second time (extractors only). */
  again?: { cpu: number; wall: number };
  /** CPU from spawning the process until it had read the first file (extractors only). */
  startCpu?: number;
  wall: number;
  /** Text by page number, per document (undefined: the document failed). */
  texts: (string[] | undefined)[];
  failures: string[];
}

async function measure(cpuOf: () => number, fn: () => Promise<void>): Promise<{ cpu: number; wall: number }> {
  const c0 = cpuOf();
  const t0 = performance.now();
  await fn();
  return { cpu: cpuOf() - c0, wall: (performance.now() - t0) / 1000 };
}

async function pdftotext(files: CorpusFile[]): Promise<Measured> {
  const texts: (string[] | undefined)[] = [];
  const failures: string[] = [];
  await run('pdftotext', ['-q', files[0]!.path, '-']);
  const m = await measure(popplerCpu, async () => {
    for (const f of files) {
      try {
        // One form feed ends each page.
        texts.push((await run('pdftotext', ['-q', f.path, '-'], { maxBuffer: 1 << 28 })).stdout.split('\f').slice(0, f.pages));
      } catch (err) {
        texts.push(undefined);
        failures.push(`${f.path}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  });
  return { ...m, texts, failures };
}

async function extract(files: CorpusFile[], extractor: ExtractorName): Promise<Measured> {
  const s0 = selfCpu();
  const parser = new ParserProcess(limits.memoryMiB, extractor);
  try {
    await parser.parse(readFileSync(files[0]!.path), limits);
    const startCpu = selfCpu() - s0 + cpuSeconds(parser.pid!);
    const bytes = files.map((f) => readFileSync(f.path));
    const cpuOf = () => selfCpu() + cpuSeconds(parser.pid!);
    const texts: (string[] | undefined)[] = [];
    const failures: string[] = [];
    const m = await measure(cpuOf, async () => {
      for (let i = 0; i < bytes.length; i++) {
        try {
          const r = await parser.parse(bytes[i]!, limits);
          const pages: string[] = [];
          for (const p of r.pages) pages[p.page - 1] = p.text;
          texts.push(pages);
        } catch (err) {
          texts.push(undefined);
          failures.push(`${files[i]!.path}: ${(err as Error).message}`);
        }
      }
    });
    const again = await measure(cpuOf, async () => {
      for (const b of bytes) await parser.parse(b, limits).catch(() => undefined);
    });
    return { ...m, again, startCpu, texts, failures };
  } finally {
    parser.kill();
    // Reaped before the next measurement, whose pdftotext figure counts waited-for children's CPU.
    while (parser.alive) await sleep(10);
  }
}

/** Pages (of documents both read) whose characters differ from pdftotext's by more than the threshold. */
function quality(m: Measured, reference: Measured, files: CorpusFile[]): { pages: number; differing: number; worst: string[] } {
  let pages = 0;
  let differing = 0;
  const all: { d: number; where: string }[] = [];
  files.forEach((f, i) => {
    const ref = reference.texts[i];
    const got = m.texts[i];
    if (!ref || !got) return;
    for (let p = 0; p < f.pages; p++) {
      const d = charDifference(got[p] ?? '', ref[p] ?? '');
      pages++;
      if (d > QUALITY_THRESHOLD) differing++;
      all.push({ d, where: `${'name' in f ? (f as { name: string }).name : f.path} p.${p + 1}` });
    }
  });
  all.sort((a, b) => b.d - a.d);
  return { pages, differing, worst: all.slice(0, 3).filter((w) => w.d > QUALITY_THRESHOLD).map((w) => `${w.where} ${(w.d * 100).toFixed(0)} %`) };
}

const summary: Record<string, Record<string, { perCpu: number; share: number }>> = {};
for (const [label, files] of [
  ['real-world', real.files],
  ['generated', generated],
] as const) {
  const total = pagesOf(files);
  console.log(`\n${label} corpus (${files.length} PDFs, ${total} pages), one document at a time:`);
  const poppler = await pdftotext(files);
  const popplerPerCpu = total / poppler.cpu;
  const row = (name: string, m: Measured, q?: ReturnType<typeof quality>) => {
    const perCpu = total / m.cpu;
    const share = q ? q.differing / Math.max(1, q.pages) : 0;
    console.log(
      `  ${name.padEnd(22)} ${m.wall.toFixed(2).padStart(6)} s wall ${m.cpu.toFixed(2).padStart(6)} CPU-s ${perCpu.toFixed(0).padStart(5)} pages/CPU-s ${(perCpu / (total / poppler.cpu)).toFixed(2).padStart(5)}x pdftotext` +
        (q ? ` | pages differing >${QUALITY_THRESHOLD * 100} %: ${q.differing}/${q.pages} (${(share * 100).toFixed(1)} %)` : '') +
        (m.failures.length ? ` | ${m.failures.length} failed` : ''),
    );
    if (q?.worst.length) console.log(`  ${''.padEnd(22)} furthest: ${q.worst.join('; ')}`);
    for (const f of m.failures) console.log(`  ${''.padEnd(22)} failed: ${f}`);
    (summary[label] ??= {})[name] = { perCpu, share };
    if (m.again && m.startCpu !== undefined) {
      const againPerCpu = total / m.again.cpu;
      console.log(
        `  ${'  same process again'.padEnd(22)} ${m.again.wall.toFixed(2).padStart(6)} s wall ${m.again.cpu.toFixed(2).padStart(6)} CPU-s ${againPerCpu.toFixed(0).padStart(5)} pages/CPU-s ${(againPerCpu / popplerPerCpu).toFixed(2).padStart(5)}x pdftotext` +
          ` | start-up and first document: ${m.startCpu.toFixed(2)} CPU-s a process (one per ${RECYCLE_AFTER} documents at most)`,
      );
      summary[label][`${name} again`] = { perCpu: againPerCpu, share };
    }
  };
  row('pdftotext (poppler)', poppler);
  for (const ex of EXTRACTORS) {
    const m = await extract(files, ex);
    row(ex, m, quality(m, poppler, files));
  }
}

// What one pdftotext run costs before its first page: part of its figures above, shown so that
// the per-page comparison is read knowing it.
const STARTS = 20;
const c0 = popplerCpu();
for (let i = 0; i < STARTS; i++) await run('pdftotext', ['-q', onePage!.path, '-']);
const startupMs = ((popplerCpu() - c0) / STARTS) * 1000;
console.log(`\npdftotext start-up, per run: ${startupMs.toFixed(1)} CPU-ms`);
const r = summary['real-world']!;
const vsPoppler = (name: string) => (r[name]!.perCpu / r['pdftotext (poppler)']!.perCpu).toFixed(2);
console.log(`\nreal-world corpus, per core: pdfium ${vsPoppler('pdfium')}x pdftotext (target >= 2.0x), pdf-parse ${vsPoppler('pdf-parse')}x; read again by the same process: pdfium ${vsPoppler('pdfium again')}x, pdf-parse ${vsPoppler('pdf-parse again')}x`);
console.log(`real-world corpus, pages differing from pdftotext's by >${QUALITY_THRESHOLD * 100} %: pdfium ${(r.pdfium!.share * 100).toFixed(1)} %, pdf-parse ${(r['pdf-parse']!.share * 100).toFixed(1)} %`);
console.log(`(character difference of a page: (missing + extra characters) / pdftotext's, as multisets after NFKC with whitespace removed)`);

// The full pipeline on the generated corpus, with the default extractor, once with chunk text
// in Chroma as well (stores.chroma.storeText on) and once not (off), as the worker's StoreBatcher
// writes it (store-under-test.ts); and once more with storeText off and the chunks kept as plain
// text rows, as before search had a lexical leg, to weigh what the lexical index costs.
const files = generated;
const totalPages = pagesOf(files);
const bytes = files.map((f) => readFileSync(f.path));
const poppler = await pdftotext(files);
const msPerPage = (cpuS: number) => (cpuS * 1000) / totalPages;
const popplerMs = msPerPage(poppler.cpu);
// One parser process, as one of the worker's pool, used directly so that its CPU can be read.
const parser = new ParserProcess(512, DEFAULT_EXTRACTOR);
const chroma = await startChroma();
try {
  await parser.parse(bytes[0]!, limits);
  const parserCpu = () => cpuSeconds(parser.pid!);
  const chromaCpu = () => cpuSeconds(chroma.proc.pid!);
  const own = () => selfCpu() + parserCpu();
  const parseOnly = await measure(own, async () => {
    for (const b of bytes) await parser.parse(b, limits);
  });
  const embedder = new OfflineEmbedder('sluice-hash-v1', 384);
  const ids = bytes.map((_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const totals: Record<string, number> = {};
  /** The store step's CPU in this process and PostgreSQL: all that the lexical index changes. */
  const storeOwn: Record<string, number> = {};
  const variants = [
    { name: 'storeText on', storeText: true, lexicalIndex: true },
    { name: 'storeText off', storeText: false, lexicalIndex: true },
    { name: 'storeText off, no lexical index', storeText: false, lexicalIndex: false },
  ];
  for (const { name, storeText, lexicalIndex } of variants) {
    const store = await openStoreUnderTest(chroma.url, storeText, ids, lexicalIndex);
    try {
      const collection = `bench-parse-${storeText ? 'text' : 'notext'}-${lexicalIndex ? 'lex' : 'nolex'}-${Date.now()}`;
      const stages = { parse: { parser: 0, self: 0 }, chunk: 0, embed: 0, store: { self: 0, chroma: 0, postgres: 0 } };
      let chunkCount = 0;
      const cpuOf = () => own() + chromaCpu() + store.postgresCpu();
      const full = await measure(cpuOf, async () => {
        for (let i = 0; i < bytes.length; i++) {
          let s = selfCpu();
          let p = parserCpu();
          const parsed = await parser.parse(bytes[i]!, limits);
          stages.parse.parser += parserCpu() - p;
          stages.parse.self += selfCpu() - s;
          s = selfCpu();
          const chunks = await chunkPages(parsed.pages, 1000, 150);
          chunkCount += chunks.length;
          stages.chunk += selfCpu() - s;
          s = selfCpu();
          const vectors = await embedder.embed(chunks.map((c) => c.text));
          stages.embed += selfCpu() - s;
          s = selfCpu();
          p = chromaCpu();
          const g = store.postgresCpu();
          // As in the worker: a document stored for the first time has no old chunks to delete.
          await store.write(collection, ids[i]!, chunks, vectors, embedder.model, embedder.dimensions);
          stages.store.self += selfCpu() - s;
          stages.store.chroma += chromaCpu() - p;
          stages.store.postgres += store.postgresCpu() - g;
        }
      });
      // Chroma may still be indexing what it acknowledged, and a worker folds the lexical journal
      // into the term statistics: both part of storing, though not of the wall time.
      const settle = chromaCpu();
      const fold = store.postgresCpu();
      await store.foldJournal();
      stages.store.postgres += store.postgresCpu() - fold;
      await sleep(1500);
      const settled = chromaCpu() - settle;
      stages.store.chroma += settled;
      const fullCpu = full.cpu + settled + (store.postgresCpu() - fold);
      totals[name] = fullCpu;
      storeOwn[name] = stages.store.self + stages.store.postgres;

      const row = (label: string, cpuS: number) =>
        console.log(`  ${label.padEnd(44)} ${msPerPage(cpuS).toFixed(2).padStart(6)} CPU-ms/page ${(msPerPage(cpuS) / popplerMs).toFixed(2).padStart(6)}x pdftotext's`);
      console.log(
        `\nfull pipeline, generated corpus, extractor ${DEFAULT_EXTRACTOR}, ${name}: ${full.wall.toFixed(2)} s wall, ${(totalPages / full.wall).toFixed(0)} pages/s; where the CPU goes, per page (${chunkCount} chunks, ${(chunkCount / totalPages).toFixed(1)} a page, of 1,000 characters):`,
      );
      row('pdftotext, whole run', poppler.cpu);
      row(`parse: parser process (${DEFAULT_EXTRACTOR})`, stages.parse.parser);
      row('parse: this process (IPC)', stages.parse.self);
      row('chunk (LangChain splitter, SHA-256)', stages.chunk);
      row('embed (offline hashing, 384 dims)', stages.embed);
      row('store: this process (Chroma client, pg)', stages.store.self);
      row('store: Chroma server', stages.store.chroma);
      row('store: PostgreSQL backend (chunks, stats)', stages.store.postgres);
      const accounted = stages.parse.parser + stages.parse.self + stages.chunk + stages.embed + stages.store.self + stages.store.chroma + stages.store.postgres;
      row('other (Chroma between requests, the loop)', fullCpu - accounted);
      row('full pipeline, total', fullCpu);
    } finally {
      await store.close();
    }
  }
  console.log('\n(CPU-s counts this process, the parser process, the Chroma server and the PostgreSQL backend that stores the chunks)');
  console.log(`ratio per core (pages per CPU-second), parse only: ${(poppler.cpu / parseOnly.cpu).toFixed(2)}x pdftotext`);
  console.log(`full pipeline's CPU per page, storeText off: ${(totals['storeText off']! / poppler.cpu).toFixed(2)}x pdftotext's (target <= 2.0x)`);
  console.log(`full pipeline's CPU per page, storeText on:  ${(totals['storeText on']! / poppler.cpu).toFixed(2)}x pdftotext's (target <= 3.5x)`);
  // Parse, chunk, embed and Chroma run the same code with or without the index: their run-to-run
  // noise is left out by counting only what differs, the store step in this process and PostgreSQL.
  const without = 'storeText off, no lexical index';
  const lexicalCost = (storeOwn['storeText off']! - storeOwn[without]!) / totals[without]!;
  console.log(
    `the lexical index's cost: ${msPerPage(storeOwn['storeText off']! - storeOwn[without]!).toFixed(2)} CPU-ms/page more in the store step, ${(lexicalCost * 100).toFixed(1)} % of the pipeline's ${msPerPage(totals[without]!).toFixed(2)} CPU-ms/page without it (target <= 10 %; whole pipelines: ${((totals['storeText off']! / totals[without]! - 1) * 100).toFixed(1)} %)`,
  );
} finally {
  parser.kill();
  await chroma.stop();
}
