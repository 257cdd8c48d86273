// The small listener for /metrics (and the worker's probes) that both processes share.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpsServer, type OpsServer } from '../../../src/shared/ops-server.ts';

let ops: OpsServer;
beforeAll(async () => {
  ops = await startOpsServer(0, {
    '/metrics': async () => ({ status: 200, body: 'm 1\n', contentType: 'text/plain; version=0.0.4' }),
    '/readyz': () => Promise.reject(new Error('redis down')),
  });
});
afterAll(() => ops?.close());

describe('the ops listener', () => {
  const get = (path: string, method = 'GET') => fetch(`http://127.0.0.1:${ops.port}${path}`, { method });

  it('serves its routes, ignoring the query string', async () => {
    const r = await get('/metrics?name=x');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    expect(await r.text()).toBe('m 1\n');
  });

  it('answers 500 when a route fails, and 404 to any other path or method', async () => {
    expect((await get('/readyz')).status).toBe(500);
    for (const path of ['/', '/nothing', '/constructor', '/__proto__', '/toString']) expect((await get(path)).status, path).toBe(404);
    expect((await get('/metrics', 'POST')).status).toBe(404);
  });
});
