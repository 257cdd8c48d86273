// End to end: 1,000 documents uploaded to one API process and processed by two worker processes
// (as deployed, each a child process with its parser processes) until every one has succeeded.
// Prints documents/s and pages/s from the first upload to the last success, and pages per
// CPU-second end to end (every process of the stack: API, workers, parser processes, Chroma; the
// PostgreSQL server's CPU beside it) against poppler's pdftotext on the same files in the same run.
//   npm run bench:e2e               (BENCH_DOCS=1000 BENCH_PAGES=3 BENCH_WORKER_CONCURRENCY=2)
// Needs poppler-utils (pdftotext) for the comparison; without it, the comparison is left out.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { commandCpuSeconds, cpuSeconds, treeCpuSeconds, waitedChildrenCpuSeconds } from './cpu.ts';
import { corpus } from './corpus.ts';
import { freePort } from '@sluice/devenv/net';
import { benchStack, uploadAll } from './stack.ts';

const DOCS = Number(process.env.BENCH_DOCS ?? 1000);
const PAGES = Number(process.env.BENCH_PAGES ?? 3);
const CONCURRENCY = process.env.BENCH_WORKER_CONCURRENCY ?? '2';
const UPLOADERS = 32;
const LIMIT_S = Number(process.env.BENCH_LIMIT_SECONDS ?? 600);

const files = await corpus('e2e', DOCS, (i) => PAGES + (i % 3) - 1);
const totalPages = files.reduce((a, f) => a + f.pages, 0);
const s = await benchStack();
try {
  const ports = [await freePort(), await freePort()];
  const workers = ports.map((p) => s.spawnWorker({ SLUICE_WORKER_CONCURRENCY: CONCURRENCY, SLUICE_METRICS_PORT: String(p) }));
  await new Promise((r) => setTimeout(r, 1500)); // let the workers start their parser processes
  // The stack's CPU: every process under this one but this one (the upload client).
  const stackCpu = () => treeCpuSeconds(process.pid) - cpuSeconds('self') - waitedChildrenCpuSeconds();
  const cpu0 = { stack: stackCpu(), postgres: commandCpuSeconds('postgres') };
  const t0 = performance.now();
  const errors = await uploadAll(s.base, s.key, 'bench-e2e', files.map((f) => f.path), UPLOADERS);
  const uploaded = (performance.now() - t0) / 1000;
  console.log(`uploaded ${files.length} documents (${totalPages} pages) in ${uploaded.toFixed(1)} s, ${errors} errors`);
  let last = '';
  for (;;) {
    const { rows } = await s.pg.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM documents GROUP BY state');
    const counts = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    const done = (counts.succeeded ?? 0) + (counts.failed ?? 0);
    const line = JSON.stringify(counts);
    if (line !== last && Math.random() < 0.2) console.log(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${line}`);
    last = line;
    if (done >= files.length) break;
    if ((performance.now() - t0) / 1000 > LIMIT_S) throw new Error(`not finished after ${LIMIT_S} s: ${line}`);
    if (workers.some((w) => w.exitCode !== null)) throw new Error('a worker exited');
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = { stack: stackCpu() - cpu0.stack, postgres: commandCpuSeconds('postgres') - cpu0.postgres };
  const { rows } = await s.pg.query<{ failed: string; chunks: string }>(`SELECT count(*) FILTER (WHERE state = 'failed') AS failed, coalesce(sum(chunks), 0) AS chunks FROM documents`);
  console.log(`documents:   ${files.length} (${totalPages} pages, ${rows[0]?.chunks} chunks), failed ${rows[0]?.failed}`);
  console.log(`workers:     2 processes x concurrency ${CONCURRENCY}, offline embeddings, Chroma on the same 2 cores`);
  const sums = new Map<string, number>();
  for (const p of ports) {
    const text = await (await fetch(`http://127.0.0.1:${p}/metrics`)).text();
    for (const m of text.matchAll(/^sluice_stage_duration_seconds_sum\{stage="(\w+)"\} ([\d.e+-]+)$/gm)) sums.set(m[1]!, (sums.get(m[1]!) ?? 0) + Number(m[2]));
  }
  console.log(`stage time:  ${[...sums].map(([k, v]) => `${k} ${((v * 1000) / files.length).toFixed(1)} ms`).join(', ')} (mean per document)`);
  console.log(`end to end:  ${seconds.toFixed(1)} s, ${(files.length / seconds).toFixed(1)} documents/s, ${(totalPages / seconds).toFixed(0)} pages/s`);
  const perCore = totalPages / (cpu.stack + cpu.postgres);
  console.log(
    `per core:    ${perCore.toFixed(0)} pages/CPU-s end to end (${cpu.stack.toFixed(1)} CPU-s in the API, workers, parser processes and Chroma, ${cpu.postgres.toFixed(1)} in the PostgreSQL server, which other clients share)`,
  );
  const poppler = await pdftotextPerCore(files.map((f) => f.path));
  if (poppler) console.log(`pdftotext:   ${(totalPages / poppler).toFixed(0)} pages/CPU-s on the same files, one process a document: Sluice end to end is ${(perCore / (totalPages / poppler)).toFixed(2)}x pdftotext per core`);
} finally {
  await s.stop();
}

/** CPU-seconds pdftotext takes for the files, one process each; undefined without poppler-utils. */
async function pdftotextPerCore(paths: readonly string[]): Promise<number | undefined> {
  const run = promisify(execFile);
  try {
    await run('pdftotext', ['-v']);
  } catch {
    console.log('pdftotext:   not on PATH (apt-get install poppler-utils), no comparison');
    return undefined;
  }
  const c0 = waitedChildrenCpuSeconds();
  for (const p of paths) await run('pdftotext', ['-q', p, '-'], { maxBuffer: 1 << 28 });
  return waitedChildrenCpuSeconds() - c0;
}
