// A job document's bytes, fetched and streamed into the same byte store as an upload
// (document_parts, in parts of at most 256 KiB) while they are hashed; never held whole.
import type pg from 'pg';
import { deleteParts } from '../shared/db/document-bytes.ts';
import { PartWriter } from '../shared/db/part-writer.ts';
import { DocumentError } from '../shared/errors.ts';

/** Writes `body` as the document's parts, replacing any an earlier attempt left. */
export async function storeFetched(pool: pg.Pool, id: string, body: AsyncIterable<Buffer>): Promise<{ sha256: string; size: number }> {
  await deleteParts(pool, id);
  // As for an upload (415 there): readers accept the header anywhere in the first KiB.
  const parts = new PartWriter(pool, id, { notPdf: () => new DocumentError('Corrupt', 'the fetched file is not a PDF (no %PDF- header in its first 1024 bytes)') });
  for await (const chunk of body) await parts.write(chunk);
  if (parts.size === 0) throw new DocumentError('Corrupt', 'the fetched file is empty');
  return parts.end();
}
