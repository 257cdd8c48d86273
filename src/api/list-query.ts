// The query of a document listing: `state`, `limit` (1 to 1000, default 100) and the keyset
// `cursor` a previous page returned. Shared by GET /v1/documents and GET /v1/jobs/{id}/documents.
import type { Request } from 'express';
import { LISTED_STATES, type DocumentState } from '../shared/db/document-row.ts';
import { HttpError } from './http-error.ts';
import { decodeCursor } from './list-cursor.ts';

export interface ListQuery {
  state: DocumentState | undefined;
  limit: number;
  after: { createdAt: string; id: string } | undefined;
}

/** A query parameter given once as a string; undefined otherwise. */
export const queryString = (req: Request, key: string): string | undefined => (typeof req.query[key] === 'string' ? (req.query[key] as string) : undefined);

export function parseListQuery(req: Request): ListQuery {
  const state = queryString(req, 'state');
  if (state !== undefined && !(LISTED_STATES as readonly string[]).includes(state)) throw new HttpError(400, 'InvalidState', `state must be one of ${LISTED_STATES.join(', ')}`);
  const limit = Number(queryString(req, 'limit') ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, 'InvalidLimit', 'limit must be an integer from 1 to 1000');
  return { state: state as DocumentState | undefined, limit, after: decodeCursor(queryString(req, 'cursor')) };
}
