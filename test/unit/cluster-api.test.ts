// Where the operator reaches a cluster's API, and how the client types its failures.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { HttpClusterApi } from '../../src/controller/cluster-api/http-cluster-api.ts';
import { listen } from '../../src/shared/ops-server.ts';
import { ClusterApiError, ClusterApiUnavailable, clusterApiUrl } from '../../src/controller/cluster-api/cluster-api.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const cluster = (spec: Record<string, unknown> = {}) => defaultedCluster('docs', 'team-a', { stores, ...spec } as never);

describe('clusterApiUrl', () => {
  it.each([
    ["the cluster's Service on its port", {}, undefined, 'http://docs-api.team-a.svc:8080'],
    ['a custom API port', { api: { port: 9443 } }, undefined, 'http://docs-api.team-a.svc:9443'],
    ['the operator-level override, filled in', {}, 'http://127.0.0.1:18080/{namespace}/{name}/', 'http://127.0.0.1:18080/team-a/docs'],
    ['an override without placeholders', {}, 'http://127.0.0.1:18080', 'http://127.0.0.1:18080'],
  ])('%s', (_name, spec, override, want) => {
    expect(clusterApiUrl(cluster(spec), override)).toBe(want);
  });

  it('cannot be redirected by a field of the cluster', () => {
    const c = cluster();
    (c.status as unknown) = { endpoints: { api: 'http://evil.example' } };
    (c.metadata.annotations as unknown) = { 'sluice.dev/api-url': 'http://evil.example' };
    expect(clusterApiUrl(c)).toBe('http://docs-api.team-a.svc:8080');
  });
});

describe('HttpClusterApi', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
        const reply = (status: number, json?: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(json === undefined ? undefined : JSON.stringify(json));
        if (req.url === '/v1/jobs/missing') return reply(404, { error: { code: 'NotFound', message: 'no such job' } });
        if (req.url === '/v1/jobs/bad') return reply(422, { error: { code: 'InvalidJob', message: 'embedding.dimensions: 8 does not match the cluster (384)' } });
        if (req.url === '/v1/jobs/busy') return reply(503, { error: { code: 'Unavailable', message: 'Redis is away' } });
        if (req.url?.startsWith('/v1/jobs/purging')) return reply(202, { remaining: 3 });
        if (req.method === 'DELETE') return reply(204);
        if (req.url === '/v1/queue') return reply(200, { waiting: 1, active: 2, delayed: 0, failed: 0, workers: [] });
        reply(req.method === 'PUT' ? 201 : 200, { job: { id: 'x', state: 'Pending' } });
      });
    });
    base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const outcomes: string[] = [];
  const api = () => new HttpClusterApi({ baseUrl: base, key: 'sk_test', onResult: (op, outcome) => outcomes.push(`${op}:${outcome}`) });

  it('sends the key, and the body as JSON', async () => {
    expect(await api().putJob('x', { collection: 'c' } as never)).toEqual({ id: 'x', state: 'Pending' });
    expect(seen.at(-1)).toEqual({ method: 'PUT', url: '/v1/jobs/x', auth: 'Bearer sk_test', body: '{"collection":"c"}' });
  });

  it('answers undefined for a job the API does not have', async () => {
    expect(await api().getJob('missing')).toBeUndefined();
  });

  it('types a refusal with its status and code', async () => {
    const err = await api().putJob('bad', {} as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterApiError);
    expect(err).toMatchObject({ status: 422, code: 'InvalidJob', name: 'ClusterApiError' });
    expect((err as Error).message).toContain('embedding.dimensions');
  });

  it('types a 503 and an unreachable API as unavailable', async () => {
    await expect(api().getJob('busy')).rejects.toBeInstanceOf(ClusterApiUnavailable);
    const closed = new HttpClusterApi({ baseUrl: 'http://127.0.0.1:1', key: 'k' });
    await expect(closed.getJob('x')).rejects.toBeInstanceOf(ClusterApiUnavailable);
  });

  it('tells a finished delete from one still purging, and 404 as done', async () => {
    expect(await api().deleteJob('x', true)).toEqual({ done: true });
    expect(seen.at(-1)!.url).toBe('/v1/jobs/x?purge=true');
    expect(await api().deleteJob('purging', true)).toEqual({ done: false, remaining: 3 });
    expect(await api().deleteJob('missing', false)).toEqual({ done: true });
  });

  it('reports every outcome for the metrics', async () => {
    await api().queue();
    expect(outcomes).toEqual(expect.arrayContaining(['putJob:201', 'getJob:404', 'putJob:422', 'getJob:503', 'deleteJob:204', 'deleteJob:202', 'queue:200']));
  });
});
