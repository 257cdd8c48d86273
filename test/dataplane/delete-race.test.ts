// DELETE racing a worker's claim: the delete removes the chunks and the row under a lock on the
// row, so a claim that arrives meanwhile waits and then finds nothing to claim; it can never
// write chunks after the delete has cleaned them away.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/dev/net.ts';
import { claimDocument, deleteDocument } from '../../src/shared/db/documents.ts';
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
  it('holds off a claim while its chunks are removed; the claim then finds nothing', async () => {
    const id = await insert('queued');
    let claim: Promise<unknown> | undefined;
    let claimSettled = false;
    const outcome = await deleteDocument(pool, id, async () => {
      claim = claimDocument(pool, id, 'racing-worker', 30).finally(() => (claimSettled = true));
      await sleep(300); // a slow Chroma delete
      expect(claimSettled).toBe(false);
    });
    expect(outcome).toBe('deleted');
    expect(await claim).toBeUndefined();
    expect((await pool.query('SELECT 1 FROM documents WHERE id = $1', [id])).rowCount).toBe(0);
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
