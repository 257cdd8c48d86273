// A stand-in for one cluster's API that speaks the jobs contract (docs/jobs.md): PUT/GET/DELETE
// /v1/jobs/{id} and GET /v1/queue, keyed by one bearer key. Tests steer each job's view.
import { createServer, type Server } from 'node:http';
import type { JobView } from '../../src/controller/cluster-api/cluster-api.ts';
import { listen } from '../../src/shared/ops-server.ts';
import { specHash, type JobSpec } from '../../src/shared/jobs/job-spec.ts';

export interface FakeClusterApi {
  url: string;
  jobs: Map<string, { body: JobSpec; view: JobView }>;
  requests: string[];
  /** DELETE answers 202 this many times before 204. */
  purgeRounds: number;
  update(id: string, change: Partial<JobView>): void;
  close(): Promise<void>;
}

export async function startFakeClusterApi(key: string): Promise<FakeClusterApi> {
  const api: FakeClusterApi = {
    url: '',
    jobs: new Map(),
    requests: [],
    purgeRounds: 0,
    update: (id, change) => {
      const j = api.jobs.get(id);
      if (j) j.view = { ...j.view, ...change };
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const reply = (status: number, body?: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? undefined : JSON.stringify(body));
      const url = new URL(req.url!, 'http://x');
      api.requests.push(`${req.method} ${url.pathname}${url.search}`);
      if (req.headers.authorization !== `Bearer ${key}`) return reply(401, { error: { code: 'Unauthorized', message: 'bad key' } });
      if (url.pathname === '/v1/queue') return reply(200, { waiting: 0, active: 0, delayed: 0, failed: 0, workers: [] });
      const id = decodeURIComponent(url.pathname.replace(/^\/v1\/jobs\//, ''));
      const job = api.jobs.get(id);
      if (req.method === 'GET') return job ? reply(200, { job: job.view }) : reply(404, { error: { code: 'NotFound', message: 'no such job' } });
      if (req.method === 'PUT') {
        const body = JSON.parse(raw) as JobSpec;
        const total = body.sources.inline?.length ?? 0;
        const view: JobView = job
          ? { ...job.view, specHash: specHash(body) }
          : { id, collection: body.collection, state: 'Running', specHash: specHash(body), counts: { total, pending: total, queued: 0, active: 0, succeeded: 0, failed: 0, skipped: 0 }, pages: 0, chunks: 0, rate: 0, etaSeconds: null, startTime: new Date().toISOString(), completionTime: null, lastFailures: [] };
        api.jobs.set(id, { body, view });
        return reply(job ? 200 : 201, { job: view });
      }
      if (req.method === 'DELETE') {
        if (!job) return reply(404, { error: { code: 'NotFound', message: 'no such job' } });
        if (url.searchParams.get('purge') === 'true' && api.purgeRounds > 0) {
          api.purgeRounds--;
          return reply(202, { remaining: 1 });
        }
        api.jobs.delete(id);
        return reply(204);
      }
      reply(405);
    });
  });
  api.url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  return api;
}
