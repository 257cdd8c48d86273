// Migration 6's backfill: the chunks of documents ingested before their text and tsvector were
// kept in PostgreSQL are written there from what Chroma holds (their text, when it was stored
// with them, or the text PostgreSQL already had). In batches of a few documents, each in a short
// transaction, so neither table is locked for long; search works throughout, its lexical leg
// finding more as the backlog shrinks. One backfill runs at a time across all workers.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ChromaStore } from '../shared/chroma-store.ts';
import type { ChunkRow } from '../shared/db/chunks.ts';
import { saveChunks } from '../shared/db/chunks.ts';
import { backlogSize, existingTexts, markLexicalIndexed, takeBacklog } from '../shared/db/lexical-backlog.ts';
import { inTransaction } from '../shared/db/transaction.ts';

export interface BackfillReport {
  ran: boolean;
  documents: number;
  chunks: number;
  /** Chunks with no text anywhere (written to Chroma without it, before the text was kept). */
  textless: number;
  left: number;
}

const LOCK = `hashtext(current_schema() || ':sluice-lexical-backfill')`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Backfills batches of `batch` documents until the backlog is empty or `budgetMs` is spent (one batch at least). */
export async function backfillLexical(pool: pg.Pool, chroma: ChromaStore, budgetMs: number, batch = 20): Promise<BackfillReport> {
  const report: BackfillReport = { ran: false, documents: 0, chunks: 0, textless: 0, left: 0 };
  const client = await pool.connect();
  try {
    if (!(await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS locked`)).rows[0]?.locked) return report;
    report.ran = true;
    try {
      const until = Date.now() + budgetMs;
      for (;;) {
        const done = await inTransaction(client, (tx) => backfillBatch(tx, chroma, batch, report));
        if (done < batch || Date.now() >= until) break;
      }
      report.left = await backlogSize(client);
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${LOCK})`);
    }
  } finally {
    client.release();
  }
  return report;
}

async function backfillBatch(tx: pg.PoolClient, chroma: ChromaStore, batch: number, report: BackfillReport): Promise<number> {
  const docs = await takeBacklog(tx, batch);
  if (docs.length === 0) return 0;
  const texts = await existingTexts(tx, docs.map((d) => d.id));
  const byCollection = Map.groupBy(docs, (d) => d.collection);
  const rows: ChunkRow[] = [];
  for (const [collection, group] of byCollection) {
    for (const record of await chroma.documentChunks(collection, group.map((d) => d.id))) {
      const text = texts.get(`${record.documentId}:${record.chunkIndex}`) ?? record.text;
      if (text === null) {
        report.textless++;
        continue;
      }
      rows.push({ documentId: record.documentId, chunkIndex: record.chunkIndex, text, pageStart: record.pageStart, pageEnd: record.pageEnd, contentSha256: record.contentSha256 || sha256(text) });
    }
  }
  await saveChunks(tx, rows);
  await markLexicalIndexed(tx, docs.map((d) => d.id));
  report.documents += docs.length;
  report.chunks += rows.length;
  return docs.length;
}
