// sluice_dependency_up{dependency}: whether PostgreSQL, Redis and Chroma answer this process, asked
// at each scrape, so that an alert names the store the data plane cannot reach. A check past its
// deadline counts as down, and none starts while the previous one is pending: a client that waits
// out outages by design (the worker's Redis) would otherwise pile up a check a scrape.
import { Gauge, type Registry } from 'prom-client';
import { withDeadline } from './deadline.ts';

export type Dependency = 'postgres' | 'redis' | 'chroma';

export const DEPENDENCY_CHECK_DEADLINE_MS = 2_000;

export function registerDependencyGauge(registry: Registry, checks: Record<Dependency, () => Promise<unknown>>, deadlineMs = DEPENDENCY_CHECK_DEADLINE_MS): void {
  const pending = new Set<Dependency>();
  const up = async (dependency: Dependency): Promise<number> => {
    if (pending.has(dependency)) return 0;
    pending.add(dependency);
    const check = checks[dependency]().finally(() => pending.delete(dependency));
    try {
      await withDeadline(check, deadlineMs, () => new Error('no answer'));
      return 1;
    } catch {
      return 0;
    }
  };
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
