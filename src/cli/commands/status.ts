// `kubectl sluice status [ij/NAME | ic/NAME]`: jobs with their progress, rate and ETA, and their
// clusters' workers and queue. --watch redraws in place on a terminal (plain lines at each change
// otherwise) until every job shown has finished.
import type { SluiceClient } from '../sluice-client.ts';
import { clusterState, jobProgress, statusLines, type ClusterState, type JobProgress } from '../status-view.ts';
import type { Target } from '../target.ts';

export interface StatusOptions {
  target?: Target;
  allNamespaces: boolean;
  watch: boolean;
  json: boolean;
  intervalMs: number;
}

export interface Output {
  write(text: string): void;
  isTTY: boolean;
}

async function read(client: SluiceClient, o: StatusOptions): Promise<{ jobs: JobProgress[]; clusters: ClusterState[] }> {
  const t = o.target;
  if (t?.kind === 'job') {
    const job = await client.job(t.name);
    const cluster = await client.cluster(job.spec.clusterRef.name).catch(() => undefined);
    return { jobs: [jobProgress(job)], clusters: cluster ? [clusterState(cluster)] : [] };
  }
  if (t?.kind === 'cluster') {
    const [cluster, jobs] = await Promise.all([client.cluster(t.name), client.jobs()]);
    return { jobs: jobs.filter((j) => j.spec.clusterRef.name === t.name).map(jobProgress), clusters: [clusterState(cluster)] };
  }
  const [jobs, clusters] = await Promise.all([client.jobs(o.allNamespaces), client.clusters(o.allNamespaces)]);
  return { jobs: jobs.map(jobProgress), clusters: clusters.map(clusterState) };
}

const finished = (jobs: readonly JobProgress[]) => jobs.length > 0 && jobs.every((j) => j.phase === 'Complete' || j.phase === 'Failed');

export async function status(client: SluiceClient, o: StatusOptions, out: Output): Promise<void> {
  let shown = 0;
  let last = '';
  for (;;) {
    const state = await read(client, o);
    const text = o.json ? `${JSON.stringify(state)}\n` : `${statusLines(state.jobs, state.clusters, out.isTTY, o.allNamespaces && !o.target).join('\n')}\n`;
    if (!o.watch) return out.write(text);
    if (text !== last) {
      // Up over what was drawn, and clear from there: the new lines replace the old in place.
      if (out.isTTY && shown && !o.json) out.write(`\x1b[${shown}A\x1b[J`);
      out.write(text);
      shown = text.split('\n').length - 1;
      last = text;
    }
    if (finished(state.jobs)) return;
    await new Promise((r) => setTimeout(r, o.intervalMs));
  }
}
