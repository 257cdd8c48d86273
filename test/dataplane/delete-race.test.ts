// DELETE racing a worker's claim: the delete removes the chunks and the row under a lock on the
// row, and a claim skips a locked row, so a worker can never write chunks after the delete has
// cleaned them away (nor wait on it).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDocument } from '../../src/shared/db/claims.ts';
import { deleteDocument } from '../../src/shared/db/document-queries.ts';
import { migrate } from '../../src/shared/db/migrations.ts';
import { createSchema } from './support/stack.ts';

let pool: pg.Pool;
let drop: () => Promise<void>;

beforeAll(async () => {
  const schema = await createSchema();
  drop = schema.drop;
  pool = new pg.Pool({ connectionString: schema.url, max: 4 });
  await migrate(pool);
});
afterAll(async () => {
  await pool?.end();
  await drop?.();
});

async function insert(state: string): Promise<string> {
  const id = randomUUID();
  await pool.query(`INSERT INTO documents (id, collection, sha256, state) VALUES ($1, 'c', $2, $3)`, [id, `sha-${id}`, state]);
  return id;
}

describe('deleting a document', () => {
  it('a claim during the delete skips the document, and after it finds nothing', async () => {
    const id = await insert('queued');
    const outcome = await deleteDocument(pool, id, async () => {
      // Chroma is deleting the chunks; a worker picks the document's job up now.
      expect(await claimDocument(pool, id, 'racing-worker', 30)).toBeUndefined();
    });
    expect(outcome).toBe('deleted');
    expect(await claimDocument(pool, id, 'later-worker', 30)).toBeUndefined();
    expect((await pool.query('SELECT 1 FROM documents WHERE id = $1', [id])).rowCount).toBe(0);
  });

  it('a document whose delete failed is still claimable', async () => {
    const id = await insert('queued');
    await expect(deleteDocument(pool, id, () => Promise.reject(new Error('chroma down')))).rejects.toThrow('chroma down');
    expect((await claimDocument(pool, id, 'worker', 30))?.doc.state).toBe('processing');
  });

  it('refuses a document a worker holds, and keeps everything when removing the chunks fails', async () => {
    const held = await insert('processing');
    let called = false;
    expect(await deleteDocument(pool, held, async () => void (called = true))).toBe('processing');
    expect(called).toBe(false);

    const id = await insert('succeeded');
    await expect(deleteDocument(pool, id, () => Promise.reject(new Error('chroma down')))).rejects.toThrow('chroma down');
    expect((await pool.query('SELECT state FROM documents WHERE id = $1', [id])).rows).toEqual([{ state: 'succeeded' }]);
    expect(await deleteDocument(pool, randomUUID(), async () => undefined)).toBe('missing');
  });
});
