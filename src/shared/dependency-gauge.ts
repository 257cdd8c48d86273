// sluice_dependency_up{dependency}: whether PostgreSQL, Redis and Chroma answer this process, asked
// at each scrape, so that an alert names the store the data plane cannot reach. Asked as the
// worker's queue gauges read Redis (bounded-reads.ts): a check past its deadline, or one still
// pending from an earlier scrape, counts as down.
import { Gauge, type Registry } from 'prom-client';
import { boundedReads } from './bounded-reads.ts';

export type Dependency = 'postgres' | 'redis' | 'chroma';

export const DEPENDENCY_CHECK_DEADLINE_MS = 2_000;

export function registerDependencyGauge(registry: Registry, checks: Record<Dependency, () => Promise<unknown>>, deadlineMs = DEPENDENCY_CHECK_DEADLINE_MS): void {
  const bounded = boundedReads(deadlineMs);
  const up = (dependency: Dependency): Promise<number> =>
    bounded(dependency, checks[dependency]).then(
      () => 1,
      () => 0,
    );
  new Gauge({
    name: 'sluice_dependency_up',
    help: 'Whether this process reached a store at the last scrape (1) or not (0): postgres, redis, chroma.',
    labelNames: ['dependency'] as const,
    registers: [registry],
    async collect() {
      const names = Object.keys(checks) as Dependency[];
      const values = await Promise.all(names.map(up));
      names.forEach((dependency, i) => this.set({ dependency }, values[i]!));
    },
  });
}
