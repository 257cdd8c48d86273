// The API's reads and requests on documents: by id, by idempotency key, listed by a keyset
// cursor; a reindex; a delete under a lock on the row, so no worker claims it meanwhile.
import type pg from 'pg';
import type { DocumentRow, DocumentState } from './document-row.ts';
import type { Queryable } from './queryable.ts';
import { rollback, withTransaction } from './transaction.ts';

export async function findByIdempotencyKey(db: Queryable, apiKey: string, key: string): Promise<DocumentRow | undefined> {
  const r = await db.query<DocumentRow>(`SELECT * FROM documents WHERE api_key = $1 AND idempotency_key = $2 AND state <> 'uploading'`, [apiKey, key]);
  return r.rows[0];
}

export async function getDocument(db: Queryable, id: string): Promise<DocumentRow | undefined> {
  const r = await db.query<DocumentRow>('SELECT * FROM documents WHERE id = $1', [id]);
  return r.rows[0];
}

export interface ListFilter {
  collections: readonly string[] | null;
  collection?: string | undefined;
  state?: DocumentState | undefined;
  job?: string | undefined;
  limit: number;
  after?: { createdAt: string; id: string } | undefined;
}

export async function listDocuments(db: Queryable, f: ListFilter): Promise<DocumentRow[]> {
  const where: string[] = [`state <> 'uploading'`];
  const args: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    args.push(v);
    where.push(sql.replace('?', `$${args.length}`));
  };
  if (f.collections) add('collection = ANY(?)', f.collections);
  if (f.collection) add('collection = ?', f.collection);
  if (f.state) add('state = ?', f.state);
  if (f.job) add('job = ?', f.job);
  if (f.after) {
    args.push(f.after.createdAt, f.after.id);
    // The cursor carries milliseconds (a JS Date); compare at that precision.
    where.push(`(date_trunc('milliseconds', created_at), id) > ($${args.length - 1}::timestamptz, $${args.length}::uuid)`);
  }
  args.push(f.limit);
  const r = await db.query<DocumentRow>(`SELECT * FROM documents WHERE ${where.join(' AND ')} ORDER BY date_trunc('milliseconds', created_at), id LIMIT $${args.length}`, args);
  return r.rows;
}

/** Puts a finished document back in the queue, attempts reset. Refuses one that is in flight. */
export async function requestReindex(db: Queryable, id: string): Promise<DocumentRow | undefined> {
  const r = await db.query<DocumentRow>(
    `UPDATE documents SET state = 'queued', stage = 'queued', attempts = 0, error_type = NULL, error_message = NULL, worker_id = NULL,
       pages = NULL, chunks = NULL, finished_at = NULL, started_at = NULL, next_attempt_at = now(), updated_at = now()
     WHERE id = $1 AND state IN ('succeeded', 'failed') RETURNING *`,
    [id],
  );
  return r.rows[0];
}

export type DeleteOutcome = 'deleted' | 'missing' | 'processing';

/**
 * Deletes a document that no worker holds, running `removeChunks` first under a lock on its row:
 * a worker that tries to claim it meanwhile skips it (see claimDocument), so it cannot write
 * chunks that the delete has already cleaned away. If `removeChunks` fails, nothing is deleted
 * (and the sweeper queues the document again if it was waiting).
 */
export async function deleteDocument(pool: pg.Pool, id: string, removeChunks: (doc: DocumentRow) => Promise<void>): Promise<DeleteOutcome> {
  return withTransaction<DeleteOutcome>(pool, async (client) => {
    const doc = (await client.query<DocumentRow>('SELECT * FROM documents WHERE id = $1 FOR UPDATE', [id])).rows[0];
    if (!doc || doc.state === 'processing') return rollback(doc ? 'processing' : 'missing');
    await removeChunks(doc);
    await client.query('DELETE FROM documents WHERE id = $1', [id]);
    return 'deleted';
  });
}

/** Documents accepted and not yet started: the backlog that backpressure is about. */
export async function countQueued(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM documents WHERE state = 'queued'`);
  return r.rows[0]?.n ?? 0;
}
