// A scanned job end to end on this machine: the API and workers of a local stack, the job's
// documents served over HTTP, and the worker count chosen by the operator's own autoscaling policy
// (desiredWorkers, the CRD's defaults) from GET /v1/queue every pollingIntervalSeconds, as the
// Builtin autoscaler reads it. Workers are started as it asks, up to a cap (this machine's cores
// bound what more of them could do); none is stopped, as the job is over before a scale-down.
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { desiredWorkers } from '../../src/controller/autoscaling/desired-workers.ts';
import { initialHistory } from '../../src/controller/autoscaling/history.ts';
import { HttpClusterApi } from '../../src/controller/cluster-api/http-cluster-api.ts';
import { buildJobBody } from '../../src/controller/job/job-request-body.ts';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { freePort, sleep } from '@sluice/devenv/net';
import { treeCpuSeconds } from '../cpu.ts';
import { benchStack } from '../stack.ts';
import { defaultedJob } from '../../test/support/jobs.ts';

export interface JobRunFigures {
  documents: number;
  pages: number;
  pagesOcr: number;
  seconds: number;
  workerCpuSeconds: number;
  /** What the policy asked for at each change, with the time and the queue it read. */
  decisions: { at: number; desired: number; reason: string; started: number; waiting: number; active: number; ocrPages: number }[];
  maxDesired: number;
  workersStarted: number;
}

export async function scannedJobRun(documents: readonly Buffer[], pagesEach: number, maxWorkers: number): Promise<JobRunFigures> {
  const served = http.createServer((req, res) => {
    const m = /^\/scan-(\d+)\.pdf$/.exec(req.url ?? '');
    const body = m ? documents[Number(m[1])] : undefined;
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/pdf' }).end(body);
  });
  await new Promise<void>((r) => served.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(served.address() as AddressInfo).port}`;
  const operatorKey = `sk_${randomBytes(32).toString('hex')}`;
  const s = await benchStack({ SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true' }, { operatorKey });
  const workers: ChildProcess[] = [];
  try {
    const api = new HttpClusterApi({ baseUrl: s.base, key: operatorKey });
    const spec = defaultedCluster('bench', 'bench', {}).spec.autoscaling;
    let history = initialHistory(0);
    const decisions: JobRunFigures['decisions'] = [];
    const t0 = performance.now();
    const at = () => (performance.now() - t0) / 1000;
    // What the operator sends for an IngestionJob of these sources and the CRD's defaults.
    const ij = defaultedJob({ collection: 'scans', sources: { inline: documents.map((_, i) => ({ uri: `${base}/scan-${i}.pdf` })) } });
    await api.putJob('ocr-bench', buildJobBody(ij, {}));
    let maxDesired = 0;
    for (;;) {
      const job = await api.getJob('ocr-bench');
      if (job?.state === 'Complete' || job?.state === 'Failed') {
        const cpu = workers.reduce((a, w) => a + treeCpuSeconds(w.pid!), 0);
        if (job.state === 'Failed' || job.counts.succeeded !== documents.length) throw new Error(`the job ended ${job.state}: ${JSON.stringify(job.counts)} ${JSON.stringify(job.lastFailures ?? [])}`);
        return { documents: documents.length, pages: documents.length * pagesEach, pagesOcr: job.pagesOcr ?? 0, seconds: at(), workerCpuSeconds: cpu, decisions, maxDesired, workersStarted: workers.length };
      }
      const q = await api.queue();
      const d = desiredWorkers(q, spec, history, new Date());
      history = d.history;
      maxDesired = Math.max(maxDesired, d.replicas);
      const before = workers.length;
      while (workers.length < Math.min(d.replicas, maxWorkers)) workers.push(s.spawnWorker({ SLUICE_METRICS_PORT: String(await freePort()) }));
      const last = decisions.at(-1);
      if (!last || last.desired !== d.replicas || workers.length !== before) {
        decisions.push({ at: at(), desired: d.replicas, reason: d.reason, started: workers.length, waiting: q.waiting + (q.pending ?? 0), active: q.active, ocrPages: q.ocrPages ?? 0 });
      }
      if (workers.some((w) => w.exitCode !== null)) throw new Error('a worker exited');
      if (at() > 3600) throw new Error(`the job was not done after an hour: ${JSON.stringify(job?.counts)}`);
      await sleep(spec.pollingIntervalSeconds * 1000);
    }
  } finally {
    served.close();
    await s.stop();
  }
}
