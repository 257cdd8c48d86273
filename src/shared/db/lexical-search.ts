// The lexical leg of search: Okapi BM25 over the chunks of one collection, with the collection's
// own term statistics (lexical_terms, lexical_collections). PostgreSQL's ts_rank has no inverse
// document frequency, so the score is computed here: GIN finds the candidates, each candidate's
// term frequencies come from its tsvector, and idf from the collection's document frequencies.
//
// Reading a candidate's row is the cost of a search, so candidates are the chunks holding the
// query's rarest terms, up to a budget of their postings: a chunk holding only common words
// scores little beside one holding a rare word. When filters leave fewer hits than asked for,
// every term chooses candidates. Identical chunk texts are ranked once.
import { lexicalText } from '../lexical-text.ts';
import type { Queryable } from './queryable.ts';
import { filterSql, filtersDocuments, type SearchFilters } from './search-filters.ts';

export interface LexicalQuery {
  collection: string;
  /** The collection's text-search configuration (collections.text_search_config). */
  textSearchConfig: string;
  query: string;
  /** How many hits to return. */
  depth: number;
  filters: SearchFilters;
}

export interface LexicalHit {
  documentId: string;
  chunkIndex: number;
  contentSha256: string;
  score: number;
}

interface Term {
  term: string;
  df: number;
  idf: number;
  avgdl: number;
}

/** BM25's term-frequency saturation and length normalisation, at their usual values. */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;
/** Postings (summed document frequencies) of the rarest terms that choose candidates. */
export const CANDIDATE_POSTINGS = 300;
/** Candidates scored at most, whatever the terms. */
export const MAX_CANDIDATES = 500;

// A term not counted yet (its chunks still in the journal, lexical-stats.ts) counts as rare: a
// document just ingested is found by its words before its statistics are folded in.
const TERMS_SQL = `
  WITH s AS (SELECT greatest(max(chunks), 1)::float8 AS n, greatest(max(tokens)::float8 / greatest(max(chunks), 1), 1) AS avgdl
               FROM lexical_collections WHERE collection = $2),
       q AS (SELECT DISTINCT lexeme AS term FROM unnest(to_tsvector($3::regconfig, $1))),
       c AS (SELECT q.term, greatest(coalesce(t.df, 0), 1)::float8 AS df FROM q LEFT JOIN lexical_terms t ON t.collection = $2 AND t.term = q.term)
  SELECT c.term, c.df, ln(1 + (greatest(s.n - c.df, 0) + 0.5) / (c.df + 0.5)) AS idf, s.avgdl
    FROM c CROSS JOIN s ORDER BY c.df, c.term`;

/** The query's terms, rarest first, with their idf. */
async function queryTerms(db: Queryable, q: LexicalQuery): Promise<Term[]> {
  const { rows } = await db.query<Term>({ name: 'sluice-lexical-terms', text: TERMS_SQL, values: [lexicalText(q.query), q.collection, q.textSearchConfig] });
  return rows;
}

export async function lexicalSearch(db: Queryable, q: LexicalQuery): Promise<LexicalHit[]> {
  const terms = await queryTerms(db, q);
  if (terms.length === 0) return [];
  let postings = 0;
  const rarest = terms.filter((t, i) => i === 0 || (postings += t.df) <= CANDIDATE_POSTINGS);
  const hits = await score(db, q, terms, rarest);
  if (hits.length >= q.depth || rarest.length === terms.length || !filtersDocuments(q.filters)) return hits;
  return score(db, q, terms, terms);
}

async function score(db: Queryable, q: LexicalQuery, terms: readonly Term[], choosers: readonly Term[]): Promise<LexicalHit[]> {
  const tsquery = choosers.map((t) => `'${t.term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(' | ');
  const params: unknown[] = [q.collection, terms.map((t) => t.term), terms.map((t) => t.idf), tsquery, terms[0]!.avgdl, MAX_CANDIDATES, q.depth];
  const joinDocuments = filtersDocuments(q.filters);
  const where = filterSql(q.filters, params, { id: 'c.document_id', documents: 'd' });
  const { rows } = await db.query<{ document_id: string; chunk_index: number; content_sha256: string | null; score: number }>(
    `WITH terms AS (SELECT * FROM unnest($2::text[], $3::float8[]) AS t (term, idf)),
     candidates AS (
       SELECT c.document_id, c.chunk_index, c.content_sha256, c.tokens, c.tsv
         FROM chunk_texts c ${joinDocuments ? 'JOIN documents d ON d.id = c.document_id' : ''}
        WHERE c.collection = $1 AND c.tsv @@ $4::tsquery AND ${where}
        LIMIT $6),
     scored AS (
       SELECT c.document_id, c.chunk_index, c.content_sha256,
              sum(t.idf * f.tf * ${BM25_K1 + 1} / (f.tf + ${BM25_K1} * (${1 - BM25_B} + ${BM25_B} * c.tokens / $5))) AS score
         FROM candidates c
        CROSS JOIN LATERAL (
          SELECT u.lexeme, array_length(u.positions, 1) AS tf FROM unnest(ts_filter(setweight(c.tsv, 'A', $2::text[]), '{a}')) u) f
         JOIN terms t ON t.term = f.lexeme
        GROUP BY c.document_id, c.chunk_index, c.content_sha256)
     SELECT document_id, chunk_index, content_sha256, score FROM (
       SELECT DISTINCT ON (coalesce(content_sha256, document_id || ':' || chunk_index)) * FROM scored
        ORDER BY coalesce(content_sha256, document_id || ':' || chunk_index), score DESC, document_id, chunk_index) distinct_texts
     ORDER BY score DESC, document_id, chunk_index LIMIT $7`,
    params,
  );
  return rows.map((r) => ({ documentId: r.document_id, chunkIndex: r.chunk_index, contentSha256: r.content_sha256 ?? '', score: r.score }));
}
