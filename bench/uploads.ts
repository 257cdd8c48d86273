// Uploads: 500 concurrent uploads of ~1 MB PDFs to one API process (a child process, as
// deployed; no worker runs), against the disk PostgreSQL writes to. Prints `dd ... fdatasync`'s
// bandwidth on the filesystem of PostgreSQL's data directory, errors (must be 0), p50/p99 latency
// to the 2xx answer, throughput and its ratio to dd's (target >= 50 %), the CPU per MB of the
// API, of the PostgreSQL server (its backends serving the API and its background processes;
// every client's too, as other work on a shared machine uses the same server) and of this client,
// the API's peak RSS, how busy the machine was and the API's share of a core (it is one thread),
// and the MB/s those CPU costs allow on an otherwise idle machine. The client sends multipart
// bodies built beforehand, each in one write on a connection of its own, so that it costs little
// beside what it measures.
//   npm run bench:uploads           (BENCH_UPLOADS=500 BENCH_UPLOAD_MB=1)
//   BENCH_UPLOADS_CPU_PROF=<dir>    also profiles the API (node --cpu-prof) and prints where its CPU went
//   BENCH_UPLOADS_API_NODE_OPTIONS  node flags for the API (to weigh one before its Deployment gets it),
//                                   e.g. --max-semi-space-size=4: 4-6 major GCs instead of about 20
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { PG_BASE } from '@sluice/devenv/pg-schema';
import { sampleRss } from '../test/dataplane/support/rss.ts';
import { prose, textPdf } from '../test/dataplane/support/pdf-factory.ts';
import { cpuSeconds } from './cpu.ts';
import { selfTimeByPlace } from './cpu-profile.ts';
import { cpus, loadavg } from 'node:os';
import { ddWrite, dirBesideDataDir, machineTicks, postgresCpuFor, postgresCpuSeconds, userSystemSeconds } from './postgres-host.ts';
import { quantile } from './stats.ts';
import { benchStack, multipartBody, postMultipart } from './stack.ts';

const N = Number(process.env.BENCH_UPLOADS ?? 500);
const MB = Number(process.env.BENCH_UPLOAD_MB ?? 1);
const PROF_DIR = process.env.BENCH_UPLOADS_CPU_PROF ? resolve(process.env.BENCH_UPLOADS_CPU_PROF) : undefined;

// One real PDF of about MB megabytes (its page streams Flate-compressed, as a real PDF's are,
// so its bytes hardly compress further); each upload gets a distinct trailing comment so that no
// two have the same SHA-256 (dedup would otherwise answer 200 without storing anything).
let base = await textPdf(Array.from({ length: 60 }, (_, i) => prose(1000, i + 1)));
const pages: string[] = [];
while (base.length < MB * 1_000_000 * 0.98) {
  pages.push(prose(1000, pages.length + 100));
  if (pages.length % 40 === 0) base = await textPdf(pages);
}
base = await textPdf(pages.length ? pages : [prose(1000, 1)]);
const files = Array.from({ length: N }, (_, i) => Buffer.concat([base, Buffer.from(`\n% upload ${i}\n`)]));
const totalMB = files.reduce((a, f) => a + f.length, 0) / 1e6;
const bodies = files.map((f, i) => multipartBody('bench-uploads', f, `upload-${i}.pdf`));
files.length = 0;

// The disk, measured before and after the uploads (the machine's other work varies); the ratio
// is taken to the faster of the two.
const admin = new pg.Pool({ connectionString: PG_BASE, max: 1 });
const beside = await dirBesideDataDir(admin).finally(() => admin.end());
const dd: number[] = [];
if (beside) dd.push(await ddWrite(beside.dir));

if (PROF_DIR) mkdirSync(PROF_DIR, { recursive: true });
const apiNodeOptions = [process.env.BENCH_UPLOADS_API_NODE_OPTIONS ?? '', PROF_DIR ? `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${PROF_DIR}` : ''].join(' ').trim();
const profEnv: Record<string, string> = apiNodeOptions ? { NODE_OPTIONS: apiNodeOptions } : {};
const profilesBefore = new Set(PROF_DIR ? readdirSync(PROF_DIR) : []);
// The API's connections carry this name, so that the server's CPU for them can be told apart.
const appName = `sluice-bench-uploads-${randomBytes(4).toString('hex')}`;
const s = await benchStack({ SLUICE_MAX_UPLOAD_BYTES: String(64 * 1024 * 1024), PGAPPNAME: appName, ...profEnv });
let errors = 0;
try {
  const rss = sampleRss(s.api.pid!, 50);
  const statuses = new Map<number, number>();
  const latencies: number[] = [];
  const pgForApi = postgresCpuFor(s.pg, appName);
  const cpu0 = { api: userSystemSeconds(s.api.pid!), pg: postgresCpuSeconds(), self: cpuSeconds('self'), machine: machineTicks() };
  const t0 = performance.now();
  await Promise.all(
    bodies.map(async (body) => {
      const start = performance.now();
      try {
        const status = await postMultipart(s.base, s.key, body);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status !== 202) errors++;
      } catch (err) {
        errors++;
        statuses.set(-1, (statuses.get(-1) ?? 0) + 1);
        if (errors < 5) console.error(err);
      }
      latencies.push(performance.now() - start);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const pgAll = postgresCpuSeconds();
  const self1 = cpuSeconds('self');
  const pgSplit = await pgForApi.stop();
  const perMB = (from: number, to: number) => (((to - from) * 1000) / totalMB).toFixed(2);
  const api1 = userSystemSeconds(s.api.pid!);
  const machine1 = machineTicks();
  const machineBusy = 1 - (machine1.idle - cpu0.machine.idle) / (machine1.total - cpu0.machine.total);
  const apiCores = (api1.user + api1.system - cpu0.api.user - cpu0.api.system) / seconds;
  const cpu = {
    api: perMB(cpu0.api.user + cpu0.api.system, api1.user + api1.system),
    apiUser: perMB(cpu0.api.user, api1.user),
    apiSystem: perMB(cpu0.api.system, api1.system),
    pg: perMB(0, pgSplit.backends + pgSplit.background),
    pgBackends: perMB(0, pgSplit.backends),
    pgBackground: perMB(0, pgSplit.background),
    pgAll: perMB(cpu0.pg, pgAll),
    self: perMB(cpu0.self, self1),
  };
  const peak = rss.stop();
  latencies.sort((a, b) => a - b);
  const stored = await s.pg.query<{ n: string; bytes: string; storage: string }>(
    `SELECT count(*) AS n, coalesce(sum(size_bytes), 0) AS bytes,
            (SELECT attstorage FROM pg_attribute WHERE attrelid = 'document_parts'::regclass AND attname = 'data') AS storage
       FROM documents WHERE state = 'queued'`,
  );
  if (beside) dd.push(await ddWrite(beside.dir));
  const mbs = totalMB / seconds;
  const disk = Math.max(...dd);
  console.log(`disk:        dd bs=1M count=512 conv=fdatasync in ${beside?.dir ?? '?'} (the filesystem of ${beside?.dataDir ?? '?'}): ${dd.map((x) => `${x.toFixed(0)} MB/s`).join(' before, ') || 'not measured: PostgreSQL is not on this machine'}${dd.length > 1 ? ' after' : ''}`);
  if (apiNodeOptions) console.log(`API flags:   NODE_OPTIONS=${apiNodeOptions}`);
  console.log(`uploads:     ${N} concurrent, ${(base.length / 1e6).toFixed(2)} MB each (${pages.length}-page PDF), ${totalMB.toFixed(0)} MB in all`);
  console.log(`statuses:    ${JSON.stringify(Object.fromEntries(statuses))}`);
  console.log(`errors:      ${errors}`);
  console.log(`stored:      ${stored.rows[0]?.n} documents queued in PostgreSQL, ${(Number(stored.rows[0]?.bytes) / 1e6).toFixed(0)} MB (parts column storage '${stored.rows[0]?.storage}')`);
  console.log(`latency:     p50 ${quantile(latencies, 0.5).toFixed(0)} ms, p99 ${quantile(latencies, 0.99).toFixed(0)} ms, max ${latencies.at(-1)?.toFixed(0)} ms (to the 202)`);
  console.log(`throughput:  ${(N / seconds).toFixed(1)} uploads/s, ${mbs.toFixed(1)} MB/s over ${seconds.toFixed(1)} s`);
  if (dd.length) console.log(`vs disk:     ${((100 * mbs) / disk).toFixed(0)} % of dd's ${disk.toFixed(0)} MB/s (target >= 50 %)`);
  console.log(`CPU per MB:  API ${cpu.api} ms (user ${cpu.apiUser}, system ${cpu.apiSystem}), PostgreSQL server ${cpu.pg} ms (its backends for the API ${cpu.pgBackends}, background processes ${cpu.pgBackground}; with every other client of the server ${cpu.pgAll}), this client ${cpu.self} ms`);
  console.log(`API RSS:     peak ${peak.toFixed(0)} MiB`);
  // The API is one thread: on a machine busy with other work, its share of a core bounds the throughput.
  console.log(`machine:     ${cpus().length} cores ${(100 * machineBusy).toFixed(0)} % busy during the uploads (load average ${loadavg()[0]!.toFixed(1)}); the API used ${(100 * apiCores).toFixed(0)} % of one core`);
  // What this machine could take with nothing else running, from the CPU each MB cost: the API
  // (one thread) on one core, and all three processes on all cores. An estimate, not a measurement.
  const apiBound = 1000 / Number(cpu.api);
  const allBound = (1000 * cpus().length) / (Number(cpu.api) + Number(cpu.pg) + Number(cpu.self));
  const ceiling = Math.min(apiBound, allBound);
  console.log(`CPU ceiling: ~${ceiling.toFixed(0)} MB/s on an otherwise idle machine (the API on one core: ${apiBound.toFixed(0)}; API + PostgreSQL + client on ${cpus().length} cores: ${allBound.toFixed(0)})${dd.length ? `, ${((100 * ceiling) / disk).toFixed(0)} % of dd` : ''}`);
} finally {
  await s.stop();
}
if (PROF_DIR) {
  const mine = readdirSync(PROF_DIR).filter((f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f));
  for (const f of mine) {
    const { total, rows } = selfTimeByPlace(join(PROF_DIR, f));
    console.log(`API profile: ${join(PROF_DIR, f)}, ${total.toFixed(0)} ms of samples (${(total / totalMB).toFixed(2)} ms/MB), self time by place:`);
    for (const [where, ms] of rows.slice(0, 15)) console.log(`  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(6)} ms  ${where}`);
  }
  if (!mine.length) console.log(`API profile: none written to ${PROF_DIR} (the API did not exit cleanly?)`);
}
if (errors > 0) process.exitCode = 1;
