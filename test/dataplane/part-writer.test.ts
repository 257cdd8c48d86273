// PartWriter, the byte store's writer shared by uploads and a job's fetch: parts of at most
// 256 KiB in order, the hash and size of what came, and a body without the PDF header in its
// first KiB refused before anything is written. Parts go by COPY, several per connection and
// commit, and a writer holds no connection once it is quiet, done, committed or aborted.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@sluice/devenv/net';
import { loadBytes } from '../../src/shared/db/document-bytes.ts';
import { migrate } from '../../src/shared/db/migrations.ts';
import { PartWriter } from '../../src/shared/db/part-writer.ts';
import { createSchema } from './support/stack.ts';

let pool: pg.Pool;
let url: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  const schema = await createSchema();
  drop = schema.drop;
  url = schema.url;
  pool = new pg.Pool({ connectionString: url, max: 2 });
  await migrate(pool);
});
afterAll(async () => {
  await pool?.end();
  await drop?.();
});

async function document(): Promise<string> {
  const id = randomUUID();
  await pool.query(`INSERT INTO documents (id, collection, state) VALUES ($1, 'c', 'uploading')`, [id]);
  return id;
}

const partSizes = async (id: string) =>
  (await pool.query<{ seq: number; n: number }>('SELECT seq, length(data) AS n FROM document_parts WHERE document_id = $1 ORDER BY seq', [id])).rows;

class NotPdf extends Error {}

async function writeAll(id: string, body: Buffer, chunkBytes: number, accepted?: () => Promise<void>) {
  const w = new PartWriter(pool, id, { notPdf: () => new NotPdf('not a PDF'), ...(accepted ? { accepted } : {}) });
  for (let at = 0; at < body.length; at += chunkBytes) await w.write(body.subarray(at, at + chunkBytes));
  return w.end();
}

describe('PartWriter', () => {
  it('stores parts out of line and uncompressed (storage EXTERNAL): TOAST would try to compress every part of a PDF, in vain', async () => {
    const { rows } = await pool.query<{ attstorage: string }>(`SELECT attstorage FROM pg_attribute WHERE attrelid = 'document_parts'::regclass AND attname = 'data'`);
    expect(rows[0]?.attstorage).toBe('e');
    // Even bytes that would compress to almost nothing are stored as they came.
    const id = await document();
    await writeAll(id, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200 * 1024, 0x20)]), 64 * 1024);
    const stored = await pool.query<{ on_disk: number; n: number }>('SELECT pg_column_size(data) AS on_disk, length(data) AS n FROM document_parts WHERE document_id = $1', [id]);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]!.on_disk).toBeGreaterThanOrEqual(stored.rows[0]!.n);
  });

  it('stores the body in order in parts of at most 256 KiB, with its hash and size', async () => {
    const id = await document();
    const body = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(600 * 1024)]);
    const r = await writeAll(id, body, 64 * 1024);
    expect(r).toEqual({ sha256: createHash('sha256').update(body).digest('hex'), size: body.length });
    expect((await partSizes(id)).map((p) => p.seq)).toEqual([0, 1, 2]);
    expect((await partSizes(id)).map((p) => p.n)).toEqual([256 * 1024, 256 * 1024, body.length - 512 * 1024]);
    expect((await loadBytes(pool, id)).equals(body)).toBe(true);
  });

  it('calls accepted once, before the first part is written, and a body smaller than a KiB at the end', async () => {
    for (const body of [Buffer.concat([Buffer.from('%PDF-'), randomBytes(300 * 1024)]), Buffer.from('%PDF-1.4 tiny')]) {
      const id = await document();
      const seen: number[] = [];
      await writeAll(id, body, 4096, async () => void seen.push((await partSizes(id)).length));
      expect(seen).toEqual([0]);
      expect((await loadBytes(pool, id)).equals(body)).toBe(true);
    }
  });

  it('accepts the header anywhere in the first KiB and refuses it after, writing nothing', async () => {
    const at = (offset: number) => Buffer.concat([Buffer.alloc(offset, 0x20), Buffer.from('%PDF-1.7\n'), randomBytes(400 * 1024)]);
    const ok = await document();
    const last = at(1024 - 5);
    await writeAll(ok, last, 64 * 1024);
    expect((await loadBytes(pool, ok)).equals(last)).toBe(true);

    for (const body of [at(1024 - 4), Buffer.from('hello')]) {
      const id = await document();
      let accepted = false;
      await expect(writeAll(id, body, 64 * 1024, async () => void (accepted = true))).rejects.toBeInstanceOf(NotPdf);
      expect(accepted).toBe(false);
      expect(await partSizes(id)).toEqual([]);
    }
  });

  const pdfBody = (bytes: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(bytes)]);
  const writer = (id: string) => new PartWriter(pool, id, { notPdf: () => new NotPdf('not a PDF') });
  const noneHeld = () => pool.totalCount === pool.idleCount;

  it('sends the parts of a body that comes quickly in one COPY, not one statement per part', async () => {
    const id = await document();
    const body = pdfBody(2 * 1024 * 1024);
    let acquired = 0;
    const count = () => void acquired++;
    pool.on('acquire', count);
    try {
      await writeAll(id, body, 64 * 1024);
    } finally {
      pool.off('acquire', count);
    }
    expect((await partSizes(id)).length).toBe(9);
    // One COPY (two if the machine stalled for 50 ms between two chunks); one per part was nine.
    expect(acquired).toBeLessThanOrEqual(2);
    expect((await loadBytes(pool, id)).equals(body)).toBe(true);
    expect(noneHeld()).toBe(true);
  });

  it('a writer that goes quiet commits what it sent and gives its connection back', async () => {
    const id = await document();
    const body = pdfBody(300 * 1024);
    const w = writer(id);
    await w.write(body.subarray(0, 280 * 1024));
    await eventually('the quiet COPY to give its connection back', async () => noneHeld(), 5_000, 20);
    expect((await partSizes(id)).map((p) => p.n)).toEqual([256 * 1024]);
    await w.write(body.subarray(280 * 1024));
    expect(await w.end()).toEqual({ sha256: createHash('sha256').update(body).digest('hex'), size: body.length });
    expect((await loadBytes(pool, id)).equals(body)).toBe(true);
  });

  it('commits a steady sender\'s parts as it goes: a COPY carries at most 4 MiB', async () => {
    const id = await document();
    const body = pdfBody(5 * 1024 * 1024);
    const w = writer(id);
    for (let at = 0; at < 17 * 256 * 1024; at += 64 * 1024) await w.write(body.subarray(at, at + 64 * 1024));
    // Before the end: at least the first 16 parts are committed, seen from another connection.
    expect((await partSizes(id)).length).toBeGreaterThanOrEqual(16);
    await w.write(body.subarray(17 * 256 * 1024));
    await w.end();
    expect((await loadBytes(pool, id)).equals(body)).toBe(true);
  });

  it('a COPY open for 200 ms gives its connection up to one waiting for it, long before its 4 MiB', async () => {
    const small = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const id = await document();
      const body = pdfBody(8 * 1024 * 1024);
      const w = new PartWriter(small, id, { notPdf: () => new NotPdf('not a PDF') });
      let sent = 0;
      await w.write(body.subarray(0, 256 * 1024));
      sent = 256 * 1024;
      // Another query for the only connection, while the writer keeps sending 16 KiB every 10 ms.
      let sentWhenServed: number | undefined;
      const other = small.query('SELECT 1').then(() => void (sentWhenServed = sent));
      while (sentWhenServed === undefined && sent < body.length) {
        await w.write(body.subarray(sent, sent + 16 * 1024));
        sent += 16 * 1024;
        await new Promise((r) => setTimeout(r, 10));
      }
      await other;
      expect(sentWhenServed).toBeLessThan(4 * 1024 * 1024);
      await w.write(body.subarray(sent));
      await w.end();
      expect((await loadBytes(pool, id)).equals(body)).toBe(true);
    } finally {
      await small.end();
    }
  });

  it('commit() ends the COPY at once: the writer holds no connection while its caller waits for another', async () => {
    const id = await document();
    const w = writer(id);
    await w.write(pdfBody(300 * 1024));
    expect(noneHeld()).toBe(false);
    await w.commit();
    expect(noneHeld()).toBe(true);
    expect((await partSizes(id)).length).toBe(1);
    await w.end();
    expect((await partSizes(id)).length).toBe(2);
  });

  it('abort() rolls back the parts of the COPY under way and drops its connection', async () => {
    const id = await document();
    const w = writer(id);
    await w.write(pdfBody(600 * 1024));
    expect(noneHeld()).toBe(false);
    await w.abort();
    expect(noneHeld()).toBe(true);
    expect(await partSizes(id)).toEqual([]);
  });

  it('parts for a document whose row is gone fail with the foreign-key error (an upload answers 408) and hold no connection', async () => {
    const w = writer(randomUUID());
    await w.write(pdfBody(600 * 1024));
    await expect(w.end()).rejects.toMatchObject({ code: '23503' });
    expect(noneHeld()).toBe(true);
    // The pool still serves.
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

