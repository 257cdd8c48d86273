// What a chunk costs to store, per record, in every process that does the work: this one (the
// chromadb client), the Chroma server and, with storeText off, the PostgreSQL backend. Three
// ways, on the same chunks (1,000-character chunks of the parse corpus' prose, 384-dimension
// offline vectors, one write per document of ~100 chunks as the worker's group commit makes):
//   before     the stock chromadb client, text in the records' documents (Sluice until now)
//   text on    storeText true: Buffer-encoded vectors, text in the records' documents
//   text off   storeText false: text to PostgreSQL's chunk_texts, then vectors alone to Chroma
// It also times the two base64 encoders alone.
// Each round writes the three ways in turn to fresh collections; the summary takes each way's
// round of lowest total (other load on the machine only ever adds CPU).
//   npm run bench:chroma        (BENCH_DOCS=60 BENCH_PAGES=30 BENCH_ROUNDS=2 by default)
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { ChromaClient } from 'chromadb';
import { startChroma } from '@sluice/devenv/chroma';
import { sleep } from '@sluice/devenv/net';
import { ChromaStore } from '../src/shared/chroma-store.ts';
import { chunkPages, type Chunk } from '../src/shared/chunking.ts';
import { hashEmbed } from '../src/shared/embedding/offline.ts';
import { encodeEmbedding } from '../src/shared/pre-encoding-chroma-client.ts';
import { prose } from '../test/dataplane/support/pdf-factory.ts';
import { cpuSeconds } from './cpu.ts';
import { openStoreUnderTest } from './store-under-test.ts';

const DOCS = Number(process.env.BENCH_DOCS ?? 60);
const PAGES = Number(process.env.BENCH_PAGES ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DIMS = 384;
const MODEL = 'sluice-hash-v1';

interface Doc {
  id: string;
  chunks: Chunk[];
  vectors: number[][];
}

const docs: Doc[] = [];
for (let d = 0; d < DOCS; d++) {
  const chunks = await chunkPages(Array.from({ length: PAGES }, (_, p) => ({ page: p + 1, text: prose(d + 1, p + 1) })), 1000, 150);
  docs.push({ id: randomUUID(), chunks, vectors: chunks.map((c) => hashEmbed(c.text, DIMS)) });
}
const records = docs.reduce((a, d) => a + d.chunks.length, 0);
const perPage = records / (DOCS * PAGES);
console.log(`chunks: ${records} of 1,000 characters from ${DOCS} documents of ${PAGES} pages (${perPage.toFixed(2)} a page), ${DIMS} dimensions`);
console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}, load average ${os.loadavg()[0]!.toFixed(2)} at the start\n`);

const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// The chromadb client's encoder (3.5.0, utils.ts embeddingsToBase64Bytes), copied here only to
// time it alone: the package does not export it.
function clientEncoder(embedding: number[]): string {
  const view = new Float32Array(embedding.length);
  for (let i = 0; i < embedding.length; i++) view[i] = embedding[i]!;
  return btoa(Array.from(new Uint8Array(view.buffer), (byte) => String.fromCharCode(byte)).join(''));
}
const all = docs.flatMap((d) => d.vectors);
for (const [label, encode] of [
  ['chromadb client encoder', clientEncoder],
  ['Buffer encoder (encodeEmbedding)', (v: number[]) => JSON.stringify(encodeEmbedding(v))],
] as const) {
  for (const v of all.slice(0, 500)) encode(v); // warm-up
  const t0 = selfCpu();
  for (const v of all) encode(v);
  console.log(`${label.padEnd(36)} ${(((selfCpu() - t0) * 1000) / all.length).toFixed(4)} CPU-ms a vector`);
}
console.log(`(the two agree: ${clientEncoder(all[0]!) === encodeEmbedding(all[0]!).toJSON()})\n`);

const chroma = await startChroma();
const ids = docs.map((d) => d.id);
const on = await openStoreUnderTest(chroma.url, true, ids);
const off = await openStoreUnderTest(chroma.url, false, ids);
try {
  const chromaCpu = () => cpuSeconds(chroma.proc.pid!);
  const u = new URL(chroma.url);
  const settings = { url: chroma.url, tenant: 'default_tenant', database: 'default_database', token: undefined };

  /** Waits until the Chroma server stops working on what it acknowledged (indexing). */
  async function settle(): Promise<void> {
    let last = chromaCpu();
    for (let quiet = 0, i = 0; quiet < 2 && i < 60; i++) {
      await sleep(500);
      const now = chromaCpu();
      quiet = now === last ? quiet + 1 : 0;
      last = now;
    }
  }

  interface Cost {
    self: number;
    chroma: number;
    pg: number;
  }
  async function measure(label: string, write: (d: Doc) => Promise<void>, pgCpu: () => number = () => 0): Promise<Cost> {
    await settle();
    const c0 = [selfCpu(), chromaCpu(), pgCpu()];
    for (const d of docs) await write(d);
    await settle();
    const ms = (i: number, now: number) => ((now - c0[i]!) * 1000) / records;
    const r = { self: ms(0, selfCpu()), chroma: ms(1, chromaCpu()), pg: ms(2, pgCpu()) };
    const total = r.self + r.chroma + r.pg;
    console.log(
      `${label.padEnd(10)} ${r.self.toFixed(3).padStart(7)} ${r.chroma.toFixed(3).padStart(7)} ${r.pg.toFixed(3).padStart(7)} ${total.toFixed(3).padStart(7)}   ${(total * perPage).toFixed(2).padStart(6)}`,
    );
    return r;
  }
  const metadata = (d: Doc, c: Chunk) => ({ document_id: d.id, chunk_index: c.index, page_start: c.pageStart, page_end: c.pageEnd, content_sha256: c.hash });

  // Warm the server and both clients' paths on a collection of their own.
  const warm = new ChromaStore(settings);
  for (const d of docs.slice(0, 3)) await warm.upsertChunks(`bench-warm-${Date.now()}`, d.id, d.chunks, d.vectors, MODEL, DIMS);

  const stock = new ChromaClient({ host: u.hostname, port: Number(u.port), ssl: false });
  const rounds: { before: Cost; textOn: Cost; textOff: Cost }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round}: CPU-ms per record: this process, Chroma server, PostgreSQL backend, total;  total CPU-ms per page`);
    const stockCol = await stock.getOrCreateCollection({ name: `bench-before-${round}-${Date.now()}`, embeddingFunction: null, configuration: { hnsw: { space: 'cosine' } } });
    const before = await measure('before', (d) =>
      stockCol.upsert({ ids: d.chunks.map((c) => `${d.id}:${c.index}`), embeddings: d.vectors, documents: d.chunks.map((c) => c.text), metadatas: d.chunks.map((c) => metadata(d, c)) }),
    );
    const onCol = `bench-text-on-${round}-${Date.now()}`;
    const textOn = await measure('text on', (d) => on.write(onCol, d.id, d.chunks, d.vectors, MODEL, DIMS), on.postgresCpu);
    const offCol = `bench-text-off-${round}-${Date.now()}`;
    const textOff = await measure('text off', (d) => off.write(offCol, d.id, d.chunks, d.vectors, MODEL, DIMS), off.postgresCpu);
    rounds.push({ before, textOn, textOff });
  }
  const sum = (r: Cost) => r.self + r.chroma + r.pg;
  const best = (pick: (r: (typeof rounds)[number]) => Cost): Cost => rounds.map(pick).reduce((a, b) => (sum(b) < sum(a) ? b : a));
  const before = best((r) => r.before);
  const textOn = best((r) => r.textOn);
  const textOff = best((r) => r.textOff);
  const stored = (await off.pool.query<{ bytes: string; n: number }>(`SELECT pg_total_relation_size('chunk_texts') AS bytes, (SELECT count(*)::int FROM chunk_texts) AS n`)).rows[0]!;

  console.log(`\neach way's round of lowest total of ${ROUNDS}, CPU-ms per record:`);
  console.log(`\nthis process, before -> text on (the Buffer encoder):  ${textOn.self.toFixed(3)} vs ${before.self.toFixed(3)} CPU-ms a record, ${(before.self / textOn.self).toFixed(2)}x less`);
  console.log(`Chroma server, text on -> off (no full-text index):   ${textOff.chroma.toFixed(3)} vs ${textOn.chroma.toFixed(3)} CPU-ms a record, ${(textOn.chroma / textOff.chroma).toFixed(2)}x less`);
  console.log(`PostgreSQL for the text when off:                      ${textOff.pg.toFixed(3)} CPU-ms a record, ${(Number(stored.bytes) / stored.n).toFixed(0)} bytes a chunk on disk (table and index)`);
  console.log(`all processes: before ${sum(before).toFixed(3)}, text on ${sum(textOn).toFixed(3)}, text off ${sum(textOff).toFixed(3)} CPU-ms a record`);
  console.log(`               = ${(sum(before) * perPage).toFixed(2)}, ${(sum(textOn) * perPage).toFixed(2)}, ${(sum(textOff) * perPage).toFixed(2)} CPU-ms a page at ${perPage.toFixed(2)} chunks a page`);
} finally {
  await on.close();
  await off.close();
  await chroma.stop();
}
