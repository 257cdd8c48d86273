// What an unfinished upload leaves behind: nothing once PostgreSQL is back, when PostgreSQL was
// the reason it failed; nothing after the sweeper's cut-off when its API stopped feeding it; and
// a slow upload that is still sending is never taken for an abandoned one.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '@sluice/devenv/net';
import { appendPart } from '../../src/shared/db/document-bytes.ts';
import { sweep } from '../../src/shared/db/sweep.ts';
import { createUploading, UPLOAD_HEARTBEAT_SECONDS } from '../../src/shared/db/uploads.ts';
import { migrate } from '../../src/shared/db/migrations.ts';
import { multipartParts } from './support/multipart.ts';
import { RawHttp, uploadHead } from './support/raw-http.ts';
import { createSchema, startStack } from './support/stack.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function count(pool: pg.Pool): Promise<{ docs: number; parts: number; uploading: number }> {
  const { rows } = await pool.query<{ docs: number; parts: number; uploading: number }>(
    `SELECT (SELECT count(*)::int FROM documents) AS docs, (SELECT count(*)::int FROM document_parts) AS parts,
            (SELECT count(*)::int FROM documents WHERE state = 'uploading') AS uploading`,
  );
  return rows[0]!;
}

/** Starts a multipart upload of `file` by hand; `send` writes the file in pieces, pausing between them, until the server answers. */
async function startUpload(base: string, key: string, collection: string, file: Buffer) {
  const boundary = `cleanup-${randomBytes(6).toString('hex')}`;
  const { head, tail } = multipartParts(boundary, { collection }, 'slow.pdf');
  const http = await RawHttp.connect(base);
  await http.write(uploadHead(key, boundary, head.length + file.length + tail.length));
  await http.write(head);
  return {
    http,
    async send(pieceBytes: number, pauseMs: number, stopWhen: () => boolean = () => false): Promise<boolean> {
      for (let at = 0; at < file.length; at += pieceBytes) {
        if (http.answered || stopWhen()) return false;
        if (!(await http.write(file.subarray(at, at + pieceBytes)))) return false;
        await new Promise((r) => setTimeout(r, pauseMs));
      }
      return http.write(tail);
    },
  };
}

describe('unfinished uploads', () => {
  it('PostgreSQL lost in the middle of an upload: 503, and the partial upload is removed once PostgreSQL is back', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    cleanups.push(() => proxy.close());
    const schema = await createSchema();
    cleanups.push(() => schema.drop());
    const direct = new pg.Pool({ connectionString: schema.url, max: 2 });
    cleanups.push(() => direct.end());
    const viaProxy = `postgres://postgres@127.0.0.1:${proxy.port}/test?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    const s = await startStack({ postgresUrl: viaProxy });
    cleanups.push(() => s.stop());

    // 24 MiB sent at about 8 MiB/s; PostgreSQL goes once a few parts are stored.
    const file = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(24 * 1024 * 1024)]);
    const up = await startUpload(s.base, s.keys.admin!, `blip-${s.schema}`, file);
    cleanups.push(async () => up.http.close());
    const sending = up.send(256 * 1024, 30);
    await eventually('parts to be stored', async () => (await count(direct)).parts >= 4, 20_000, 50);
    await proxy.cut();
    const res = await up.http.response();
    await sending;
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('StoreUnavailable');
    // The API could not remove it while PostgreSQL was away: it is still there, with its parts.
    const during = await count(direct);
    expect(during.uploading).toBe(1);
    expect(during.parts).toBeGreaterThanOrEqual(4);

    await proxy.restore();
    // Well before the sweeper's cut-off: the API's own cleanup is retried.
    await eventually('the partial upload to be removed', async () => {
      const c = await count(direct);
      return c.docs === 0 && c.parts === 0;
    }, 20_000, 200);
  });

  it('the sweeper removes an upload whose heartbeat stopped, and keeps a long one that is still being fed', async () => {
    const schema = await createSchema();
    cleanups.push(() => schema.drop());
    const pool = new pg.Pool({ connectionString: schema.url, max: 2 });
    cleanups.push(() => pool.end());
    await migrate(pool);
    const row = { collection: 'sweep-uploads', filename: null, metadata: {}, job: null, apiKey: 'test', idempotencyKey: null };
    const stalled = crypto.randomUUID();
    const alive = crypto.randomUUID();
    for (const id of [stalled, alive]) {
      await createUploading(pool, { id, ...row });
      await appendPart(pool, id, 0, randomBytes(1024));
    }
    // Started seven minutes ago, nothing for six (its API died): abandoned.
    await pool.query(`UPDATE documents SET created_at = now() - interval '7 minutes', updated_at = now() - interval '6 minutes' WHERE id = $1`, [stalled]);
    // Started two hours ago on a slow link, refreshed ten seconds ago: alive.
    await pool.query(`UPDATE documents SET created_at = now() - interval '2 hours', updated_at = now() - interval '10 seconds' WHERE id = $1`, [alive]);

    const r = await sweep(pool, 30, 5);
    expect(r.abandonedUploads).toBe(1);
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM documents');
    expect(rows.map((x) => x.id)).toEqual([alive]);
    const parts = await pool.query<{ document_id: string }>('SELECT document_id FROM document_parts');
    expect(parts.rows.map((x) => x.document_id)).toEqual([alive]);
  });

  it('a slow upload refreshes its heartbeat while bytes arrive, and is accepted', async () => {
    const s = await startStack();
    cleanups.push(() => s.stop());
    const direct = new pg.Pool({ connectionString: s.pgUrl, max: 2 });
    cleanups.push(() => direct.end());
    // About 40 KiB/s for seven seconds: longer than the heartbeat interval, one part in all.
    const file = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(280 * 1024)]);
    const up = await startUpload(s.base, s.keys.admin!, `slow-${s.schema}`, file);
    cleanups.push(async () => up.http.close());
    let refreshedBy = 0;
    const probe = setInterval(() => {
      void direct
        .query<{ s: number }>(`SELECT extract(epoch FROM updated_at - created_at)::float8 AS s FROM documents WHERE state = 'uploading'`)
        .then((r) => (refreshedBy = Math.max(refreshedBy, r.rows[0]?.s ?? 0)), () => undefined);
    }, 250);
    cleanups.push(async () => clearInterval(probe));
    expect(await up.send(8 * 1024, 200)).toBe(true);
    const res = await up.http.response();
    clearInterval(probe);
    expect(res.status).toBe(202);
    expect(refreshedBy).toBeGreaterThanOrEqual(UPLOAD_HEARTBEAT_SECONDS - 0.5);
  });
});
