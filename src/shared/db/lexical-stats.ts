// The collections' term statistics for BM25 (lexical_terms, lexical_collections), folded in from
// the journal migration 6's triggers keep of every chunk that came (+1) or went (-1): one upsert
// per distinct term of a whole batch, in (collection, term) order, by one worker at a time. Until
// a chunk is folded in, search counts its words as rare (lexical-search.ts).
import type pg from 'pg';

const LOCK = `hashtext(current_schema() || ':sluice-lexical-stats')`;

/** Folds up to `limit` journal entries into the statistics; how many it folded. */
async function foldBatch(db: pg.PoolClient, limit: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `WITH batch AS (
       DELETE FROM lexical_journal WHERE id IN (SELECT id FROM lexical_journal ORDER BY id LIMIT $1) RETURNING collection, tsv, tokens, sign),
     terms AS (
       INSERT INTO lexical_terms AS t (collection, term, df)
         SELECT b.collection, u.lexeme, sum(b.sign)::int FROM batch b, unnest(b.tsv) u GROUP BY 1, 2 ORDER BY 1, 2
       ON CONFLICT (collection, term) DO UPDATE SET df = t.df + excluded.df),
     collections AS (
       INSERT INTO lexical_collections AS c (collection, chunks, tokens)
         SELECT collection, sum(sign), sum(sign * tokens) FROM batch GROUP BY 1 ORDER BY 1
       ON CONFLICT (collection) DO UPDATE SET chunks = c.chunks + excluded.chunks, tokens = c.tokens + excluded.tokens)
     SELECT count(*)::int AS n FROM batch`,
    [limit],
  );
  return rows[0]?.n ?? 0;
}

/** Folds the whole journal in batches of `batch`, unless another process is folding it; how many it folded. */
export async function foldLexicalJournal(pool: pg.Pool, batch = 5000): Promise<number> {
  const client = await pool.connect();
  try {
    if (!(await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS locked`)).rows[0]?.locked) return 0;
    try {
      let folded = 0;
      for (let n = batch; n === batch; folded += n) n = await foldBatch(client, batch);
      return folded;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${LOCK})`);
    }
  } finally {
    client.release();
  }
}
