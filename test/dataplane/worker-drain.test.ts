// The drain handshake through the real API and a real worker: asked to drain, the worker says so
// in its heartbeat and takes no new document; withdrawn, it takes documents again. Only a key for
// every collection may ask, with a well-formed list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, upload, waitTerminal } from './support/client.ts';
import { textPdf } from './support/pdf-factory.ts';
import { startStack, type Stack } from './support/stack.ts';
import { eventually } from '@sluice/devenv/net';

let s: Stack;
let admin: string;
const WORKER = `w-drain-${Date.now()}`;
const collection = `drain-${Date.now()}`;

beforeAll(async () => {
  s = await startStack({ keys: [{ name: 'admin' }, { name: 'team', collections: [collection] }] });
  admin = s.keys.admin!;
  await s.startWorker({ SLUICE_WORKER_ID: WORKER });
});
afterAll(async () => s?.stop());

const me = async () => ((await call(s.base, admin, 'GET', '/v1/queue')).body.workers as { id: string; draining: boolean; busy: boolean }[]).find((w) => w.id === WORKER);

describe('draining a worker', () => {
  it('refuses a key limited to collections, and a malformed list', async () => {
    expect((await call(s.base, s.keys.team!, 'PUT', '/v1/workers/drain', { workers: [WORKER] })).status).toBe(403);
    const bad = await call(s.base, admin, 'PUT', '/v1/workers/drain', { workers: 'all' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/^workers: an array/);
    expect((await call(s.base, admin, 'PUT', '/v1/workers/drain', { workers: [''] })).status).toBe(422);
  });

  it('stops the worker taking documents until the request is withdrawn', async () => {
    await eventually('the worker heartbeat', async () => (await me()) !== undefined);
    const r = await call(s.base, admin, 'PUT', '/v1/workers/drain', { workers: [WORKER] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ draining: [WORKER], ttlSeconds: 30 });
    await eventually('the worker to report draining', async () => (await me())?.draining === true);

    const up = await upload(s.base, admin, await textPdf(['waits while the only worker drains']), { collection });
    expect(up.status).toBe(202);
    await new Promise((res) => setTimeout(res, 3_000));
    const waiting = await call(s.base, admin, 'GET', `/v1/documents/${up.body.document.id}`);
    expect(waiting.body.document.state).toBe('queued');
    expect((await call(s.base, admin, 'GET', '/v1/queue')).body.waiting).toBe(1);

    expect((await call(s.base, admin, 'PUT', '/v1/workers/drain', { workers: [] })).status).toBe(200);
    await eventually('the worker to report not draining', async () => (await me())?.draining === false);
    const done = await waitTerminal(s.base, admin, up.body.document.id);
    expect(done.state).toBe('succeeded');
  });
});
