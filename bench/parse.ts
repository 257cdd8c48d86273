// Parse throughput: Sluice's pipeline (parse in the limited child process + chunk + offline
// embed + Chroma upsert) against poppler's pdftotext on the same files in the same run, both
// one document at a time, as pages per CPU-second and their ratio. CPU is read from /proc for
// every process that does the work, so the ratio is per core whatever runs in parallel; the
// full pipeline is also broken down by stage, to show where the CPU goes.
//   npm run bench:parse            (BENCH_DOCS=40 BENCH_PAGES=25 by default)
// Needs poppler's pdftotext on PATH (Debian/Ubuntu: apt-get install poppler-utils); nothing else
// in the project does.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { ChromaStore } from '../src/shared/chroma-store.ts';
import { chunkPages } from '../src/shared/chunking.ts';
import { OfflineEmbedder } from '../src/shared/embedding/offline.ts';
import { ParserProcess } from '../src/worker/parser.ts';
import { startChroma } from '../src/dev/chroma.ts';
import { sleep } from '../src/dev/net.ts';
import { corpus } from './corpus.ts';
import { cpuSeconds, waitedChildrenCpuSeconds } from './cpu.ts';

const run = promisify(execFile);
try {
  await run('pdftotext', ['-v']);
} catch {
  console.error('bench:parse compares with poppler\'s pdftotext, which is not on PATH: install poppler-utils (apt-get install poppler-utils)');
  process.exit(1);
}
const DOCS = Number(process.env.BENCH_DOCS ?? 40);
const PAGES = Number(process.env.BENCH_PAGES ?? 25);

const files = await corpus('parse', DOCS, (i) => PAGES + (i % 3) * 5);
const totalPages = files.reduce((a, f) => a + f.pages, 0);
const bytes = files.map((f) => readFileSync(f.path));
const [onePage] = await corpus('parse-1p', 1, () => 1);
console.log(`corpus: ${files.length} PDFs, ${totalPages} pages, ${(bytes.reduce((a, b) => a + b.length, 0) / 1e6).toFixed(1)} MB (pdf-lib, Helvetica text)`);
console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}, load average ${os.loadavg()[0]!.toFixed(2)} at the start`);

/** Runs fn and reports wall time, and pages per CPU-second over every process involved. */
async function timeIt(label: string, cpuOf: () => number, fn: () => Promise<void>): Promise<{ wall: number; perCpu: number; cpu: number }> {
  const cpu0 = cpuOf();
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  const cpu = cpuOf() - cpu0;
  console.log(`${label.padEnd(40)} ${s.toFixed(2).padStart(6)} s wall ${(totalPages / s).toFixed(0).padStart(5)} pages/s | ${cpu.toFixed(2).padStart(6)} CPU-s ${(totalPages / cpu).toFixed(0).padStart(5)} pages/CPU-s`);
  return { wall: totalPages / s, perCpu: totalPages / cpu, cpu };
}

const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// Warm both paths once (page cache, parser start-up, JIT) before measuring.
await run('pdftotext', ['-q', files[0]!.path, '-']);
// One parser process, as one of the worker's pool, used directly so that its CPU can be read.
const parser = new ParserProcess(512);
const limits = { timeoutMs: 120_000, memoryMiB: 512, maxPages: 100_000, maxChars: 100_000_000 };
await parser.parse(bytes[0]!, limits);
const parserCpu = () => cpuSeconds(parser.pid!);

const popplerCpu = () => cpuSeconds('self') + waitedChildrenCpuSeconds();
const poppler = await timeIt('pdftotext (poppler), one at a time', popplerCpu, async () => {
  for (const f of files) await run('pdftotext', ['-q', f.path, '-'], { maxBuffer: 1 << 28 });
});
// What one pdftotext run costs before its first page: part of its figure above, shown so that
// the per-page comparison is read knowing it.
const STARTS = 20;
const c0 = popplerCpu();
for (let i = 0; i < STARTS; i++) await run('pdftotext', ['-q', onePage!.path, '-']);
const startupMs = ((popplerCpu() - c0) / STARTS) * 1000;

const own = () => selfCpu() + parserCpu();
const parseOnly = await timeIt('sluice parse only', own, async () => {
  for (const b of bytes) await parser.parse(b, limits);
});

const chroma = await startChroma();
try {
  const chromaCpu = () => cpuSeconds(chroma.proc.pid!);
  const store = new ChromaStore({ url: chroma.url, tenant: 'default_tenant', database: 'default_database', token: undefined });
  const embedder = new OfflineEmbedder('sluice-hash-v1', 384);
  const collection = `bench-parse-${Date.now()}`;
  await store.maxBatchSize();
  const stages = { parse: { parser: 0, self: 0 }, chunk: 0, embed: 0, store: { self: 0, chroma: 0 } };
  let chunkCount = 0;
  const full = await timeIt('sluice parse+chunk+embed+store', () => own() + chromaCpu(), async () => {
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
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      s = selfCpu();
      p = chromaCpu();
      // As in the worker: a document stored for the first time has no old chunks to delete.
      await store.upsertChunks(collection, id, chunks, vectors, embedder.model, embedder.dimensions);
      stages.store.self += selfCpu() - s;
      stages.store.chroma += chromaCpu() - p;
    }
  });
  // Chroma may still be indexing what it acknowledged: that is part of storing, though not of
  // the wall time.
  const settle = chromaCpu();
  await sleep(1500);
  const settled = chromaCpu() - settle;
  stages.store.chroma += settled;
  const fullCpu = full.cpu + settled;

  const msPerPage = (cpuS: number) => (cpuS * 1000) / totalPages;
  const popplerMs = msPerPage(poppler.cpu);
  const row = (label: string, cpuS: number) =>
    console.log(`  ${label.padEnd(44)} ${msPerPage(cpuS).toFixed(2).padStart(6)} CPU-ms/page ${(msPerPage(cpuS) / popplerMs).toFixed(2).padStart(6)}x pdftotext's`);
  console.log(`\nwhere the CPU goes, per page (${chunkCount} chunks, ${(chunkCount / totalPages).toFixed(1)} a page, of 1,000 characters):`);
  row('pdftotext, whole run', poppler.cpu);
  console.log(`  ${'  of which start-up, per run'.padEnd(44)} ${startupMs.toFixed(1).padStart(6)} CPU-ms per document`);
  row('parse: parser process (pdf.js)', stages.parse.parser);
  row('parse: this process (IPC)', stages.parse.self);
  row('chunk (LangChain splitter, SHA-256)', stages.chunk);
  row('embed (offline hashing, 384 dims)', stages.embed);
  row('store: this process (Chroma client)', stages.store.self);
  row('store: Chroma server', stages.store.chroma);
  const worker = stages.parse.parser + stages.parse.self + stages.chunk + stages.embed + stages.store.self;
  row('other (Chroma between requests, the loop)', fullCpu - worker - stages.store.chroma);
  row('full pipeline, total', fullCpu);
  console.log('\n(CPU-s counts this process, the parser process and, for the full pipeline, the Chroma server)');
  console.log(`ratio per core (pages per CPU-second), parse only:              ${(parseOnly.perCpu / poppler.perCpu).toFixed(2)}x pdftotext`);
  console.log(`ratio per core, full pipeline without the Chroma server's CPU:  ${(totalPages / worker / poppler.perCpu).toFixed(2)}x pdftotext`);
  console.log(`ratio per core (pages per CPU-second), parse+chunk+embed+store: ${(totalPages / fullCpu / poppler.perCpu).toFixed(2)}x pdftotext (target >= 1.0x)`);
  console.log(`ratio of wall-clock pages/s, one document at a time, full:       ${(full.wall / poppler.wall).toFixed(2)}x pdftotext`);
} finally {
  parser.kill();
  await chroma.stop();
}
