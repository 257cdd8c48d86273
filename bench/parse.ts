// Parse throughput: Sluice's pipeline (parse in the limited child process + chunk + offline
// embed + Chroma upsert) against poppler's pdftotext on the same files in the same run, both
// one document at a time on one core, as pages per second and their ratio.
//   npm run bench:parse            (BENCH_DOCS=40 BENCH_PAGES=25 by default)
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { ChromaStore } from '../src/shared/chroma-store.ts';
import { chunkPages } from '../src/shared/chunking.ts';
import { OfflineEmbedder } from '../src/shared/embedding/offline.ts';
import { ParserPool } from '../src/worker/parser.ts';
import { startChroma } from '../src/dev/chroma.ts';
import { corpus } from './corpus.ts';
import { cpuSeconds, waitedChildrenCpuSeconds } from './cpu.ts';

const run = promisify(execFile);
const DOCS = Number(process.env.BENCH_DOCS ?? 40);
const PAGES = Number(process.env.BENCH_PAGES ?? 25);

const files = await corpus('parse', DOCS, (i) => PAGES + (i % 3) * 5);
const totalPages = files.reduce((a, f) => a + f.pages, 0);
const bytes = files.map((f) => readFileSync(f.path));
console.log(`corpus: ${files.length} PDFs, ${totalPages} pages, ${(bytes.reduce((a, b) => a + b.length, 0) / 1e6).toFixed(1)} MB (pdf-lib, Helvetica text)`);
console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}`);

/** Runs fn and reports wall time, and pages per CPU-second over every process involved. */
async function timeIt(label: string, cpuOf: () => number, fn: () => Promise<void>): Promise<{ wall: number; perCpu: number }> {
  const cpu0 = cpuOf();
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  const cpu = cpuOf() - cpu0;
  console.log(`${label.padEnd(40)} ${s.toFixed(2).padStart(6)} s wall ${(totalPages / s).toFixed(0).padStart(5)} pages/s | ${cpu.toFixed(2).padStart(6)} CPU-s ${(totalPages / cpu).toFixed(0).padStart(5)} pages/CPU-s`);
  return { wall: totalPages / s, perCpu: totalPages / cpu };
}

// Warm both paths once (page cache, parser start-up, JIT) before measuring.
await run('pdftotext', ['-q', files[0]!.path, '-']);
const parsers = new ParserPool(512);
const limits = { timeoutMs: 120_000, memoryMiB: 512, maxPages: 100_000, maxChars: 100_000_000 };
await parsers.parse(bytes[0]!, limits);

const own = () => cpuSeconds('self') + parsers.pids.reduce((a, p) => a + cpuSeconds(p), 0);
const poppler = await timeIt('pdftotext (poppler), one at a time', () => cpuSeconds('self') + waitedChildrenCpuSeconds(), async () => {
  for (const f of files) await run('pdftotext', ['-q', f.path, '-'], { maxBuffer: 1 << 28 });
});
const parseOnly = await timeIt('sluice parse only', own, async () => {
  for (const b of bytes) await parsers.parse(b, limits);
});

const chroma = await startChroma();
try {
  const store = new ChromaStore({ url: chroma.url, tenant: 'default_tenant', database: 'default_database', token: undefined });
  const embedder = new OfflineEmbedder('sluice-hash-v1', 384);
  const collection = `bench-parse-${Date.now()}`;
  const full = await timeIt('sluice parse+chunk+embed+store', () => own() + cpuSeconds(chroma.proc.pid!), async () => {
    for (let i = 0; i < bytes.length; i++) {
      const parsed = await parsers.parse(bytes[i]!, limits);
      const chunks = await chunkPages(parsed.pages, 1000, 150);
      const vectors = await embedder.embed(chunks.map((c) => c.text));
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      // As in the worker: a document stored for the first time has no old chunks to delete.
      await store.upsertChunks(collection, id, chunks, vectors, embedder.model, embedder.dimensions);
    }
  });
  console.log('\n(CPU-s counts this process, the parser process and, for the full pipeline, the Chroma server)');
  console.log(`ratio per core (pages per CPU-second), parse only:              ${(parseOnly.perCpu / poppler.perCpu).toFixed(2)}x pdftotext`);
  console.log(`ratio per core (pages per CPU-second), parse+chunk+embed+store: ${(full.perCpu / poppler.perCpu).toFixed(2)}x pdftotext (target >= 1.0x)`);
  console.log(`ratio of wall-clock pages/s, one document at a time, full:       ${(full.wall / poppler.wall).toFixed(2)}x pdftotext`);
} finally {
  parsers.close();
  await chroma.stop();
}
