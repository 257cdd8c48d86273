// Uploads: 500 concurrent uploads of ~1 MB PDFs to one API process (a child process, as
// deployed; no worker runs). Prints errors (must be 0), p50/p99 latency to the 2xx answer,
// throughput, and the API's peak RSS.
//   npm run bench:uploads           (BENCH_UPLOADS=500 BENCH_UPLOAD_MB=1)
import { sampleRss } from '../test/dataplane/support/rss.ts';
import { prose, textPdf } from '../test/dataplane/support/pdf-factory.ts';
import { quantile } from './stats.ts';
import { benchStack, multipartUpload } from './stack.ts';

const N = Number(process.env.BENCH_UPLOADS ?? 500);
const MB = Number(process.env.BENCH_UPLOAD_MB ?? 1);

// One real PDF of about MB megabytes; each upload gets a distinct trailing comment so that no
// two have the same SHA-256 (dedup would otherwise answer 200 without storing anything).
let base = await textPdf(Array.from({ length: 60 }, (_, i) => prose(1000, i + 1)));
const pages: string[] = [];
while (base.length < MB * 1_000_000 * 0.98) {
  pages.push(prose(1000, pages.length + 100));
  if (pages.length % 40 === 0) base = await textPdf(pages);
}
base = await textPdf(pages.length ? pages : [prose(1000, 1)]);
const files = Array.from({ length: N }, (_, i) => Buffer.concat([base, Buffer.from(`\n% upload ${i}\n`)]));

const s = await benchStack({ SLUICE_MAX_UPLOAD_BYTES: String(64 * 1024 * 1024) });
try {
  const rss = sampleRss(s.api.pid!, 50);
  const statuses = new Map<number, number>();
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    files.map(async (f, i) => {
      const start = performance.now();
      try {
        const status = await multipartUpload(s.base, s.key, 'bench-uploads', f, `upload-${i}.pdf`);
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
  const peak = rss.stop();
  latencies.sort((a, b) => a - b);
  const stored = await s.pg.query<{ n: string; bytes: string }>(`SELECT count(*) AS n, coalesce(sum(size_bytes), 0) AS bytes FROM documents WHERE state = 'queued'`);
  const totalMB = files.reduce((a, f) => a + f.length, 0) / 1e6;
  console.log(`uploads:     ${N} concurrent, ${(base.length / 1e6).toFixed(2)} MB each (${pages.length}-page PDF), ${totalMB.toFixed(0)} MB in all`);
  console.log(`statuses:    ${JSON.stringify(Object.fromEntries(statuses))}`);
  console.log(`errors:      ${errors}`);
  console.log(`stored:      ${stored.rows[0]?.n} documents queued in PostgreSQL, ${(Number(stored.rows[0]?.bytes) / 1e6).toFixed(0)} MB`);
  console.log(`latency:     p50 ${quantile(latencies, 0.5).toFixed(0)} ms, p99 ${quantile(latencies, 0.99).toFixed(0)} ms, max ${latencies.at(-1)?.toFixed(0)} ms (to the 202)`);
  console.log(`throughput:  ${(N / seconds).toFixed(1)} uploads/s, ${(totalMB / seconds).toFixed(1)} MB/s over ${seconds.toFixed(1)} s`);
  console.log(`API RSS:     peak ${peak.toFixed(0)} MiB`);
  if (errors > 0) process.exitCode = 1;
} finally {
  await s.stop();
}
