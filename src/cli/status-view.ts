// What `kubectl sluice status` prints of IngestionJobs and IngestionClusters, from their status:
// with a terminal, a progress bar a job; without, plain lines that a script can read; or JSON.
// Pure.
import type { IngestionCluster } from '../crd/ingestion-cluster.ts';
import type { IngestionJob } from '../crd/ingestion-job.ts';
import { bar, duration, eta, rate } from './progress.ts';

export interface JobProgress {
  namespace: string;
  name: string;
  cluster: string;
  phase: string;
  total: number;
  /** Succeeded, failed and skipped. */
  done: number;
  failed: number;
  /** Documents a second over the last minute, while the job runs. */
  rate?: number;
  etaSeconds?: number;
}

export interface ClusterState {
  namespace: string;
  name: string;
  phase: string;
  workers: { desired?: number; ready?: number; busy?: number };
  queue: { waiting?: number; active?: number };
}

export function jobProgress(j: IngestionJob): JobProgress {
  const c = j.status?.counts ?? {};
  const total = c.total ?? 0;
  const done = (c.succeeded ?? 0) + (c.failed ?? 0) + (c.skipped ?? 0);
  const running = j.status?.phase === 'Running';
  const left = running ? (j.status?.etaSeconds ?? eta(done, total, j.status?.rate)) : undefined;
  return {
    namespace: j.metadata.namespace ?? '',
    name: j.metadata.name ?? '',
    cluster: j.spec.clusterRef.name,
    phase: j.status?.phase ?? 'Pending',
    total,
    done,
    failed: c.failed ?? 0,
    ...(running && j.status?.rate !== undefined ? { rate: j.status.rate } : {}),
    ...(left === undefined ? {} : { etaSeconds: left }),
  };
}

export function clusterState(c: IngestionCluster): ClusterState {
  const w = c.status?.workers ?? {};
  const q = c.status?.queue ?? {};
  return {
    namespace: c.metadata.namespace ?? '',
    name: c.metadata.name ?? '',
    phase: c.status?.phase ?? 'Pending',
    workers: { ...(w.desired === undefined ? {} : { desired: w.desired }), ...(w.ready === undefined ? {} : { ready: w.ready }), ...(w.busy === undefined ? {} : { busy: w.busy }) },
    queue: { ...(q.waiting === undefined ? {} : { waiting: q.waiting }), ...(q.active === undefined ? {} : { active: q.active }) },
  };
}

const n = (x: number | undefined) => (x === undefined ? '-' : String(x));

/**
 * One line a job, with a bar when `bars` (a terminal), and one a cluster; each led by its
 * namespace when `namespaces` (-A), as kubectl's NAMESPACE column leads.
 */
export function statusLines(jobs: readonly JobProgress[], clusters: readonly ClusterState[], bars: boolean, namespaces = false): string[] {
  const width = Math.max(4, ...jobs.map((j) => j.name.length));
  const nsWidth = Math.max(0, ...jobs.map((j) => j.namespace.length), ...clusters.map((c) => c.namespace.length));
  const lead = (ns: string, sep: string) => (namespaces ? `${bars ? ns.padEnd(nsWidth) : ns}${sep}` : '');
  const lines = jobs.map((j) => {
    const share = j.total > 0 ? j.done / j.total : j.phase === 'Complete' ? 1 : 0;
    const count = `${j.done}/${j.total}`;
    const fields = bars
      ? [j.name.padEnd(width), j.phase.padEnd(9), `${bar(share)} ${String(Math.floor(share * 100)).padStart(3)}%`, count.padStart(11), `failed ${j.failed}`, rate(j.rate, 'docs').padStart(14), `ETA ${duration(j.etaSeconds)}`]
      : [`ij/${j.name}`, j.phase, `${count} done`, `failed ${j.failed}`, `rate ${rate(j.rate, 'docs')}`, `eta ${duration(j.etaSeconds)}`];
    return lead(j.namespace, bars ? '  ' : ' ') + fields.join(bars ? '  ' : ' ');
  });
  for (const c of clusters) {
    const w = c.workers;
    lines.push(`${lead(c.namespace, bars ? '  ' : ' ')}ic/${c.name} ${c.phase} workers ${n(w.ready)}/${n(w.desired)} ready, ${n(w.busy)} busy; queue ${n(c.queue.waiting)} waiting, ${n(c.queue.active)} active`);
  }
  return lines;
}
