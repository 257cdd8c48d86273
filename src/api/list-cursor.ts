// The keyset cursor of document listings: the last row's creation time and id, base64url JSON
// (the same cursor GET /v1/documents hands out).
import type { DocumentRow } from '../shared/db/document-row.ts';
import { HttpError } from './http-error.ts';
import { isUuid } from './ids.ts';

export function encodeCursor(last: Pick<DocumentRow, 'created_at' | 'id'>): string {
  return Buffer.from(JSON.stringify({ createdAt: last.created_at.toISOString(), id: last.id })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { createdAt: string; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const after = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { createdAt: string; id: string };
    if (typeof after.createdAt !== 'string' || Number.isNaN(Date.parse(after.createdAt)) || !isUuid(after.id)) throw new Error('bad');
    return after;
  } catch {
    throw new HttpError(400, 'InvalidCursor', 'cursor is not one this API returned');
  }
}
