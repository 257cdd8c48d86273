// The filters of a search, as SQL over `documents`: both legs apply them before ranking (the
// lexical leg in its query, the vector leg through the ids of the documents they admit).
import type { Queryable } from './queryable.ts';

export interface SearchFilters {
  documentId?: string;
  /** The job's id (an IngestionJob's uid), as documents record it. */
  job?: string;
  /** A prefix of the document's source URI (an IngestionJob's document). */
  sourcePrefix?: string;
  /** Equality on these keys of the document's metadata. */
  metadata?: Record<string, string | number | boolean>;
  /** Only these documents (a leg narrowing what it already found). */
  documentIds?: readonly string[];
}

/** True when the filters need the documents' rows, not only the chunks'. */
export const filtersDocuments = (f: SearchFilters): boolean => f.job !== undefined || f.sourcePrefix !== undefined || f.metadata !== undefined;

const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * SQL conditions for `filters` on the document id expression `refs.id` and the documents row
 * `refs.documents`, their values appended to `params`; TRUE when there are none.
 */
export function filterSql(filters: SearchFilters, params: unknown[], refs: { id: string; documents: string }): string {
  const where: string[] = [];
  const add = (sql: (ref: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filters.documentId !== undefined) add((p) => `${refs.id} = ${p}::uuid`, filters.documentId);
  if (filters.job !== undefined) add((p) => `${refs.documents}.job = ${p}`, filters.job);
  if (filters.sourcePrefix !== undefined) add((p) => `${refs.documents}.source_uri LIKE ${p}`, likePrefix(filters.sourcePrefix));
  if (filters.metadata !== undefined) add((p) => `${refs.documents}.metadata @> ${p}::jsonb`, JSON.stringify(filters.metadata));
  if (filters.documentIds !== undefined) add((p) => `${refs.id} = ANY(${p}::uuid[])`, filters.documentIds);
  return where.length ? where.join(' AND ') : 'TRUE';
}

/**
 * The ids of the collection's documents the filters admit, or undefined when there are more
 * than `max` (the caller then filters what it found instead).
 */
export async function matchingDocumentIds(db: Queryable, collection: string, filters: SearchFilters, max: number): Promise<string[] | undefined> {
  const params: unknown[] = [collection];
  const where = filterSql(filters, params, { id: 'd.id', documents: 'd' });
  params.push(max + 1);
  const { rows } = await db.query<{ id: string }>(
    `SELECT d.id FROM documents d WHERE d.collection = $1 AND d.state = 'succeeded' AND ${where} LIMIT $${params.length}`,
    params,
  );
  return rows.length > max ? undefined : rows.map((r) => r.id);
}
