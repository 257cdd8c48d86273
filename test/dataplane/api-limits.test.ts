// Authentication, collection scoping, rate limit, size and type limits, backpressure, the
// OpenAPI document against the routes, and metrics. No worker runs here.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../src/api/main.ts';
import { eventually, freePort } from '@sluice/devenv/net';
import { loadApiConfig } from '../../src/shared/config/data-plane-config.ts';
import { call, upload } from './support/client.ts';
import { textPdf } from './support/pdf-factory.ts';
import { startStack, type Stack } from './support/stack.ts';

let s: Stack;
const tag = randomBytes(3).toString('hex');
const colA = `lim-a-${tag}`;
const colB = `lim-b-${tag}`;

beforeAll(async () => {
  s = await startStack({
    keys: [{ name: `admin-${tag}` }, { name: `scoped-${tag}`, collections: [colA] }, { name: `limited-${tag}` }],
    env: { SLUICE_MAX_UPLOAD_BYTES: String(64 * 1024), SLUICE_MAX_QUEUE_DEPTH: '3' },
  });
});
afterAll(async () => s?.stop());

const admin = () => s.keys[`admin-${tag}`]!;

const scoped = () => s.keys[`scoped-${tag}`]!;

describe('authentication', () => {
  it('answers 401 without a key and with an unknown key, but serves health without one', async () => {
    expect((await call(s.base, undefined, 'GET', '/v1/documents')).status).toBe(401);
    const r = await call(s.base, 'sk_not_a_key', 'GET', '/v1/documents');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('Unauthenticated');
    expect((await call(s.base, undefined, 'GET', '/healthz')).status).toBe(200);
    expect((await call(s.base, undefined, 'GET', '/readyz')).status).toBe(200);
  });

  it('honours a rotated keys file without a restart', async () => {
    const rotated = await startStack({ keys: [{ name: 'before' }], env: { SLUICE_API_KEYS_RELOAD_SECONDS: '1' } });
    try {
      const before = rotated.keys.before!;
      expect((await call(rotated.base, before, 'GET', '/v1/documents')).status).toBe(200);
      const after = `sk_${randomBytes(16).toString('hex')}`;
      writeFileSync(rotated.env.SLUICE_API_KEYS_FILE!, `after:${createHash('sha256').update(after).digest('hex')}\n`);
      await eventually('the rotated key', async () => (await call(rotated.base, after, 'GET', '/v1/documents')).status === 200, 10_000);
      expect((await call(rotated.base, before, 'GET', '/v1/documents')).status).toBe(401);
    } finally {
      await rotated.stop();
    }
  });

  it('accepts X-API-Key as well as a bearer token', async () => {
    const res = await fetch(`${s.base}/v1/documents`, { headers: { 'x-api-key': admin() } });
    expect(res.status).toBe(200);
  });

  it('answers 403 when a key touches a collection it may not use', async () => {
    const pdf = await textPdf(['scoped upload']);
    expect((await upload(s.base, scoped(), pdf, { collection: colB })).status).toBe(403);
    expect((await call(s.base, scoped(), 'POST', '/v1/search', { collection: colB, query: 'x' })).status).toBe(403);
    expect((await call(s.base, scoped(), 'GET', `/v1/documents?collection=${colB}`)).status).toBe(403);
    const other = await upload(s.base, admin(), pdf, { collection: colB });
    expect(other.status).toBe(202);
    expect((await call(s.base, scoped(), 'GET', `/v1/documents/${other.body.document.id}`)).status).toBe(403);
    expect((await call(s.base, scoped(), 'DELETE', `/v1/documents/${other.body.document.id}`)).status).toBe(403);
    const mine = await upload(s.base, scoped(), pdf, { collection: colA });
    expect(mine.status).toBe(202);
    const listed = await call(s.base, scoped(), 'GET', '/v1/documents');
    expect(listed.body.documents.map((d: { collection: string }) => d.collection)).toEqual([colA]);
  });

  it('refuses everything but health when no keys file is configured', async () => {
    const api = await startApi(loadApiConfig({ ...s.env, SLUICE_API_KEYS_FILE: '' }));
    try {
      const base = `http://127.0.0.1:${api.port}`;
      const r = await call(base, admin(), 'GET', '/v1/documents');
      expect(r.status).toBe(401);
      expect(r.body.error.message).toMatch(/no API keys are configured/);
      expect((await call(base, undefined, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await api.stop();
    }
  });
});

describe('limits', () => {
  it('answers 413 for a file over the upload limit', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200 * 1024)]);
    const r = await upload(s.base, admin(), big, { collection: colA });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('TooLarge');
  });

  it('answers 415 for a body that is not multipart and for a file that is not a PDF', async () => {
    const r = await fetch(`${s.base}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${admin()}`, 'content-type': 'application/pdf' }, body: 'x' });
    expect(r.status).toBe(415);
    const noBoundary = await fetch(`${s.base}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${admin()}`, 'content-type': 'multipart/form-data' }, body: 'x' });
    expect(noBoundary.status).toBe(415);
    expect(((await noBoundary.json()) as { error: { code: string } }).error.code).toBe('UnsupportedMediaType');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), randomBytes(3000)]);
    const u = await upload(s.base, admin(), png, { collection: colA, filename: 'image.pdf' });
    expect(u.status).toBe(415);
    expect(u.body.error.message).toMatch(/not a PDF/);
  });

  it('answers 400 for a missing or invalid collection', async () => {
    const pdf = await textPdf(['no collection']);
    expect((await upload(s.base, admin(), pdf)).body.error.code).toBe('MissingCollection');
    expect((await upload(s.base, admin(), pdf, { collection: 'a..b' })).body.error.code).toBe('InvalidCollection');
  });

  it('answers 503 with Retry-After when the queue is over its cap (backpressure)', async () => {
    // The earlier tests queued 2 documents and nothing consumes them; the cap is 3.
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof upload>> | undefined;
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 600)); // the API caches the depth for 500 ms
      last = await upload(s.base, admin(), await textPdf([`backpressure ${i} ${tag}`]), { collection: colA });
      statuses.push(last.status);
      if (last.status === 503) break;
    }
    expect(statuses).toContain(202);
    expect(last!.status).toBe(503);
    expect(last!.body.error.code).toBe('Backpressure');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 429 with Retry-After past the per-key rate limit, counted in Redis across API replicas', async () => {
    const env = { ...s.env, SLUICE_RATE_LIMIT_PER_MINUTE: '5' };
    const [a, b] = await Promise.all([startApi(loadApiConfig(env)), startApi(loadApiConfig(env))]);
    try {
      // Stay inside one minute window.
      const msLeft = 60_000 - (Date.now() % 60_000);
      if (msLeft < 5_000) await new Promise((r) => setTimeout(r, msLeft + 100));
      const key = s.keys[`limited-${tag}`]!;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await call(`http://127.0.0.1:${(i % 2 ? a : b).port}`, key, 'GET', '/v1/documents')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const r = await call(`http://127.0.0.1:${a.port}`, key, 'GET', '/v1/documents');
      expect(r.status).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      // Another key is not affected.
      expect((await call(`http://127.0.0.1:${a.port}`, admin(), 'GET', '/v1/documents')).status).toBe(200);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('documentation and metrics', () => {
  it('serves an OpenAPI document, to a key holder, whose every path and method is a route', async () => {
    expect((await call(s.base, undefined, 'GET', '/openapi.json')).status).toBe(401);
    const doc = (await call(s.base, admin(), 'GET', '/openapi.json')).body;
    expect(doc.openapi).toMatch(/^3\./);
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((m) => [m.toUpperCase(), path] as const));
    expect(ops.length).toBeGreaterThanOrEqual(9);
    for (const [method, path] of ops) {
      const url = path.replace('{id}', '00000000-0000-4000-8000-000000000000');
      const r = await call(s.base, admin(), method, url, method === 'POST' && !path.includes('reindex') && path !== '/v1/documents' ? {} : undefined);
      expect(r.body?.error?.message ?? '', `${method} ${path}`).not.toBe('no such route');
    }
    expect((await call(s.base, admin(), 'GET', '/v1/nothing')).body.error.message).toBe('no such route');
  });

  it.each([
    ['SLUICE_METRICS_PORT', 'SLUICE_API_PORT'],
    ['SLUICE_API_PORT', 'SLUICE_METRICS_PORT'],
  ])('fails to start when %s is taken, and releases %s again', async (takenVar, otherVar) => {
    const listenOn = (server: net.Server, port: number) => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', resolve));
    const taken = net.createServer();
    await listenOn(taken, 0);
    const other = await freePort();
    try {
      const env = { ...s.env, [takenVar]: String((taken.address() as net.AddressInfo).port), [otherVar]: String(other) };
      await expect(startApi(loadApiConfig(env))).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const probe = net.createServer();
      await listenOn(probe, other);
      await new Promise<void>((r) => probe.close(() => r()));
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });

  it('exposes request metrics labelled by route and error code on the metrics port, not the keyed one', async () => {
    const text = (await call(`http://127.0.0.1:${s.api.metricsPort}`, undefined, 'GET', '/metrics')).body as string;
    expect(text).toMatch(/sluice_api_requests_total\{method="POST",route="\/documents",status="413",code="TooLarge"\} \d+/);
    for (const dependency of ['postgres', 'redis', 'chroma']) expect(text).toMatch(new RegExp(`^sluice_dependency_up\\{dependency="${dependency}"\\} 1$`, 'm'));
    expect((await call(s.base, undefined, 'GET', '/metrics')).status).toBe(404);
    expect((await call(s.base, admin(), 'GET', '/metrics')).status).toBe(404);
  });
});
