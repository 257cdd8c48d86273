// Searches through the API from `clients` concurrent clients for `seconds`: latency quantiles,
// searches per second, and the CPU one search costs each process (the API, Chroma, PostgreSQL's
// server and this client), read from /proc.
import { commandCpuSeconds, cpuSeconds, treeCpuSeconds } from '../cpu.ts';
import { quantile } from '../stats.ts';
import type { BenchStack } from '../stack.ts';
import type { Query } from './queries.ts';

export interface Latency {
  p50: number;
  p95: number;
  throughput: number;
  searches: number;
  /** CPU milliseconds per search, by process. */
  cpuMs: { api: number; chroma: number; postgres: number; client: number };
}

export async function searchLatency(s: BenchStack, collection: string, mode: string, queries: readonly Query[], clients: number, seconds: number): Promise<Latency> {
  const times: number[] = [];
  let next = 0;
  const until = performance.now() + seconds * 1000;
  const cpu = () => {
    const api = treeCpuSeconds(s.api.pid!);
    return { api, chroma: treeCpuSeconds(process.pid) - cpuSeconds('self') - api, postgres: commandCpuSeconds('postgres'), client: cpuSeconds('self') };
  };
  const cpu0 = cpu();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const q = queries[next++ % queries.length]!;
        const started = performance.now();
        const r = await fetch(`${s.base}/v1/search`, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ collection, query: q.text, mode, limit: 10 }),
        });
        await r.arrayBuffer();
        if (!r.ok) throw new Error(`search answered ${r.status}`);
        times.push(performance.now() - started);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = cpu();
  const per = (k: keyof typeof cpu0) => ((cpu1[k] - cpu0[k]) * 1000) / Math.max(1, times.length);
  times.sort((a, b) => a - b);
  return {
    p50: quantile(times, 0.5),
    p95: quantile(times, 0.95),
    throughput: times.length / elapsed,
    searches: times.length,
    cpuMs: { api: per('api'), chroma: per('chroma'), postgres: per('postgres'), client: per('client') },
  };
}
