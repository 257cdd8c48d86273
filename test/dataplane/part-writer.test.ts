// PartWriter, the byte store's writer shared by uploads and a job's fetch: parts of at most
// 256 KiB in order, the hash and size of what came, and a body without the PDF header in its
// first KiB refused before anything is written.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBytes } from '../../src/shared/db/documents.ts';
import { migrate } from '../../src/shared/db/migrations.ts';
import { PartWriter } from '../../src/shared/db/part-writer.ts';
import { createSchema } from './support/stack.ts';

let pool: pg.Pool;
let drop: () => Promise<void>;

beforeAll(async () => {
  const schema = await createSchema();
  drop = schema.drop;
  pool = new pg.Pool({ connectionString: schema.url, max: 2 });
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
});
