// A job document's bytes, fetched and streamed into the same byte store as an upload
// (document_parts, in parts of at most 256 KiB) while they are hashed; never held whole.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import * as docs from '../shared/db/documents.ts';
import { DocumentError } from '../shared/errors.ts';

const PART_BYTES = 256 * 1024;
const MAGIC = Buffer.from('%PDF-');
const MAGIC_WINDOW = 1024;

/** Writes `body` as the document's parts, replacing any an earlier attempt left. */
export async function storeFetched(pool: pg.Pool, id: string, body: AsyncIterable<Buffer>): Promise<{ sha256: string; size: number }> {
  await docs.deleteParts(pool, id);
  const hash = createHash('sha256');
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let checked = false;
  const check = () => {
    checked = true;
    // As for an upload (415 there): readers accept the header anywhere in the first KiB.
    if (Buffer.concat(pending).subarray(0, MAGIC_WINDOW).indexOf(MAGIC) === -1) throw new DocumentError('Corrupt', 'the fetched file is not a PDF (no %PDF- header in its first 1024 bytes)');
  };
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await docs.appendPart(pool, id, seq++, data);
  };
  for await (const chunk of body) {
    size += chunk.length;
    hash.update(chunk);
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (!checked && pendingBytes >= MAGIC_WINDOW) check();
    if (pendingBytes >= PART_BYTES) await flush();
  }
  if (size === 0) throw new DocumentError('Corrupt', 'the fetched file is empty');
  if (!checked) check();
  await flush();
  return { sha256: hash.digest('hex'), size };
}
