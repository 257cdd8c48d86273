// Transient failures are retried with backoff until they succeed or the attempts run out;
// work whose worker vanished too often ends failed instead of looping for ever.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { sweep } from '../../src/shared/db/sweep.ts';
import { call, upload, waitTerminal } from './support/client.ts';
import { textPdf } from './support/pdf-factory.ts';
import { startStack } from './support/stack.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function chromaBehindProxy() {
  const target = new URL(inject('chromaUrl'));
  const proxy = await startTcpProxy(target.hostname, Number(target.port));
  cleanups.push(() => proxy.close());
  return proxy;
}

describe('retries', () => {
  it('retries a document while Chroma is unreachable (StoreUnavailable, backoff) and finishes it when Chroma is back', async () => {
    const proxy = await chromaBehindProxy();
    const s = await startStack({ env: { SLUICE_CHROMA_URL: `http://127.0.0.1:${proxy.port}` } });
    cleanups.push(() => s.stop());
    const key = s.keys.admin!;
    await proxy.cut();
    await s.startWorker();
    const r = await upload(s.base, key, await textPdf(['stored once chroma returns']), { collection: `retry-${s.schema}` });
    let doc;
    for (let i = 0; i < 100; i++) {
      doc = (await call(s.base, key, 'GET', `/v1/documents/${r.body.document.id}`)).body.document;
      if (doc.attempts >= 2) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(doc.attempts).toBeGreaterThanOrEqual(2);
    expect(doc.state).not.toBe('failed');
    expect(doc.error?.type).toBe('StoreUnavailable');
    await proxy.restore();
    const done = await waitTerminal(s.base, key, r.body.document.id, 90_000);
    expect(done.state).toBe('succeeded');
    expect(done.error).toBeNull();
  });

  it('fails a document with the transient type once its attempts are spent', async () => {
    const proxy = await chromaBehindProxy();
    const s = await startStack({ env: { SLUICE_CHROMA_URL: `http://127.0.0.1:${proxy.port}`, SLUICE_MAX_ATTEMPTS: '2' } });
    cleanups.push(() => s.stop());
    const key = s.keys.admin!;
    await proxy.cut();
    await s.startWorker();
    const r = await upload(s.base, key, await textPdf(['never stored']), { collection: `exhaust-${s.schema}` });
    const doc = await waitTerminal(s.base, key, r.body.document.id, 60_000);
    expect(doc).toMatchObject({ state: 'failed', attempts: 2 });
    expect(doc.error.type).toBe('StoreUnavailable');
  });

  it('the sweeper fails a document whose worker vanished on every attempt, and requeues one with attempts left', async () => {
    const s = await startStack();
    cleanups.push(() => s.stop());
    const pool = new pg.Pool({ connectionString: s.pgUrl, max: 2 });
    cleanups.push(() => pool.end());
    const spent = randomUUID();
    const left = randomUUID();
    for (const [id, attempts] of [[spent, 5], [left, 2]] as const) {
      await pool.query(
        `INSERT INTO documents (id, collection, sha256, state, stage, attempts, worker_id, heartbeat_at) VALUES ($1, 'c', $3, 'processing', 'parse', $2, 'gone', now() - interval '1 hour')`,
        [id, attempts, `sha-${id}`],
      );
    }
    const r = await sweep(pool, 30, 5);
    expect(r.exhausted).toEqual([spent]);
    const { rows } = await pool.query('SELECT id, state, error_type, worker_id FROM documents ORDER BY attempts DESC');
    expect(rows).toEqual([
      { id: spent, state: 'failed', error_type: 'Unknown', worker_id: 'gone' },
      { id: left, state: 'queued', error_type: null, worker_id: null },
    ]);
  });
});
