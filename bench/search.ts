// Search relevance and speed. Relevance: the real-world corpus bench:parse fetches (PDFs of
// Debian's documentation packages), ingested through the API at the example cluster's chunking
// (1,000 / 150), asked queries quoted from its pages as pdftotext reads them (random 3-8-word
// sets and exact phrases, from a fixed seed). For each mode of POST /v1/search (vector with the
// Offline embedder, lexical, hybrid) and for a plain BM25 over the same chunks, the document's
// hit@1, hit@5 and MRR. Speed: the same questions through the API over a collection of at least
// 100,000 chunks (the corpus's chunks and word-shuffled copies of them, written as the worker's
// store step writes them): p50/p95 at 1 client, and throughput with p95 at 50 concurrent clients.
//   npm run bench:search   (BENCH_QUERIES=300 BENCH_SPEED_CHUNKS=100000 BENCH_SPEED_SECONDS=20)
import { ensureDebianPackages } from '@sluice/devenv/node/debian';
import { realWorldCorpus } from './real-world-corpus.ts';
import { benchStack } from './stack.ts';
import { Bm25Reference } from './search/bm25-reference.ts';
import { ingestCorpus } from './search/ingest.ts';
import { makeQueries, pagesOf, type Query } from './search/queries.ts';
import { seeded } from './random.ts';
import { documentsOf, relevance, type Relevance } from './search/relevance.ts';
import { seedSpeedCollection } from './search/speed-collection.ts';
import { storagePerChunk } from './search/storage.ts';
import { foldLexicalJournal } from '../src/shared/db/lexical-stats.ts';
import { searchLatency } from './search/latency.ts';

await ensureDebianPackages(['poppler-utils'], (s) => console.error(`[bench:search] ${s}`));
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const SPEED_CHUNKS = Number(process.env.BENCH_SPEED_CHUNKS ?? 100_000);
const SPEED_SECONDS = Number(process.env.BENCH_SPEED_SECONDS ?? 20);
const MODES = ['vector', 'lexical', 'hybrid'] as const;
const TARGETS = { hybrid: { hit5: 0.95, hit1: 0.85 }, lexicalGap: 0.03, p50Ms: 25, throughput: 200 };

const { files } = await realWorldCorpus(1000);
const s = await benchStack({ SLUICE_CHUNK_SIZE: '1000', SLUICE_CHUNK_OVERLAP: '150' });
try {
  for (let i = 0; i < 2; i++) s.spawnWorker({ SLUICE_WORKER_CONCURRENCY: '2' });
  const collection = 'bench-search';
  const t0 = Date.now();
  const names = await ingestCorpus(s, collection, files, 1800);
  const { rows: chunks } = await s.pg.query<{ document_id: string; text: string }>('SELECT document_id, text FROM chunk_texts WHERE collection = $1', [collection]);
  console.log(`corpus: ${names.size} of ${files.length} real-world PDFs (${files.reduce((a, f) => a + f.pages, 0)} pages), ${chunks.length} chunks, ingested in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  // The workers fold the term statistics within a second; the answers are judged with them settled.
  await foldLexicalJournal(s.pg);
  const storage = await storagePerChunk(s.pg);
  console.log(`PostgreSQL bytes per chunk: ${storage.now.toFixed(0)} now, ${storage.before.toFixed(0)} for the text rows alone (storeText off before the lexical index; nothing with it on)`);
  for (const [part, bytes] of Object.entries(storage.parts)) console.log(`  ${part.padEnd(44)} ${bytes.toFixed(0).padStart(6)}`);

  const pages = new Map<string, string[]>();
  for (const f of files) if ([...names.values()].includes(f.name)) pages.set(f.name, await pagesOf(f.path));
  const queries = makeQueries(pages, QUERIES, seeded(20261207));
  const reference = new Bm25Reference(chunks.map((c) => ({ document: names.get(c.document_id)!, text: c.text })));

  const results = new Map<string, Relevance>();
  const byKind = (kind: Query['kind'] | 'all', rank: (q: Query) => Promise<string[]> | string[]) => async () => {
    const asked = queries.filter((q) => kind === 'all' || q.kind === kind);
    const answers = [];
    for (const q of asked) answers.push({ expected: q.document, ranked: await rank(q) });
    return relevance(answers);
  };
  const viaApi = (mode: string) => async (q: Query) => {
    const r = await fetch(`${s.base}/v1/search`, { method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ collection, query: q.text, mode, limit: 20 }) });
    if (!r.ok) throw new Error(`search answered ${r.status}: ${await r.text()}`);
    return documentsOf(((await r.json()) as { results: { documentId: string }[] }).results, (h) => names.get(h.documentId)!);
  };
  for (const kind of ['all', 'words', 'phrase'] as const) {
    results.set(`bm25 reference/${kind}`, await byKind(kind, (q) => reference.rankDocuments(q.text))());
    for (const mode of MODES) results.set(`${mode}/${kind}`, await byKind(kind, viaApi(mode))());
  }
  const fmt = (n: number) => n.toFixed(3);
  console.log(`\nrelevance, ${queries.length} queries (half random word sets, half exact phrases; seed 20261207), document hit@1 / hit@5 / MRR:`);
  console.log(`${'ranking'.padEnd(16)} ${'all queries'.padEnd(22)} ${'word sets'.padEnd(22)} exact phrases`);
  for (const name of ['bm25 reference', ...MODES]) {
    const cells = (['all', 'words', 'phrase'] as const).map((k) => {
      const r = results.get(`${name}/${k}`)!;
      return `${fmt(r.hit1)} ${fmt(r.hit5)} ${fmt(r.mrr)}`.padEnd(22);
    });
    console.log(`${name.padEnd(16)} ${cells.join(' ')}`);
  }
  const hybrid = results.get('hybrid/all')!;
  const lexical = results.get('lexical/all')!;
  const ref = results.get('bm25 reference/all')!;
  console.log(`\nhybrid: hit@5 ${fmt(hybrid.hit5)} (target >= ${TARGETS.hybrid.hit5}), hit@1 ${fmt(hybrid.hit1)} (target >= ${TARGETS.hybrid.hit1})`);
  console.log(`lexical vs reference BM25: hit@5 ${fmt(lexical.hit5 - ref.hit5)}, hit@1 ${fmt(lexical.hit1 - ref.hit1)} (target: within ${TARGETS.lexicalGap})`);

  if (SPEED_CHUNKS > 0) {
    const speed = 'bench-search-speed';
    const t1 = Date.now();
    const seeded100k = await seedSpeedCollection(s, collection, speed, SPEED_CHUNKS);
    await foldLexicalJournal(s.pg);
    // As autovacuum would after a bulk load (this machine's server runs without it).
    await s.pg.query('ANALYZE');
    console.log(`\nspeed collection: ${seeded100k} chunks, written in ${((Date.now() - t1) / 1000).toFixed(0)} s`);
    for (const mode of ['hybrid', 'vector', 'lexical'] as const) {
      const one = await searchLatency(s, speed, mode, queries, 1, SPEED_SECONDS);
      const many = await searchLatency(s, speed, mode, queries, 50, SPEED_SECONDS);
      console.log(
        `${mode.padEnd(8)} 1 client: p50 ${one.p50.toFixed(1)} ms, p95 ${one.p95.toFixed(1)} ms; 50 clients: ${many.throughput.toFixed(0)} searches/s, p95 ${many.p95.toFixed(0)} ms${mode === 'hybrid' ? ` (targets: p50 <= ${TARGETS.p50Ms} ms, >= ${TARGETS.throughput}/s)` : ''}`,
      );
      const c = many.cpuMs;
      console.log(`         CPU per search at 50 clients: API ${c.api.toFixed(1)} ms, Chroma ${c.chroma.toFixed(1)} ms, PostgreSQL ${c.postgres.toFixed(1)} ms, this client ${c.client.toFixed(1)} ms`);
    }
  }
} finally {
  await s.stop();
}
