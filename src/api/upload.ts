// Streams one multipart upload into PostgreSQL: the file is cut into parts of at most 256 KiB
// as it arrives (never held whole), hashed on the way and checked for the PDF magic bytes in its
// first KiB (PartWriter, shared with a job's fetch), and capped in size. Only when the last part
// is stored does the document become `queued`; then the answer is 202, or 200 when the same
// content already exists in the collection (the upload is dropped). While bytes arrive the row's
// heartbeat is refreshed, so the sweeper removes only uploads nobody is feeding; an upload that
// fails is removed at once, or, when PostgreSQL itself is what failed, as soon as it answers again.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import type pg from 'pg';
import { backoffMs } from '../shared/backoff.ts';
import { createUploading, deleteUpload, type FinalizeResult, finalizeUpload, touchUpload, UPLOAD_ABANDONED_SECONDS, UPLOAD_HEARTBEAT_SECONDS } from '../shared/db/uploads.ts';
import { PartWriter } from '../shared/db/part-writer.ts';
import { isUnavailable } from '../shared/db/pool.ts';
import { assertMayUse, type ApiKey } from './auth.ts';
import { eachChunk } from './each-chunk.ts';
import { HttpError } from './http-error.ts';

export { looksLikePdf } from '../shared/db/part-writer.ts';

const COLLECTION_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$/;

export function validCollection(name: string): boolean {
  return COLLECTION_NAME.test(name) && !name.includes('..') && !/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * True when a request declares a body larger than any upload may be (the cap plus room for the
 * multipart envelope). The server answers these without inviting the body (no 100 Continue).
 */
export function declaresTooLarge(headers: IncomingHttpHeaders, maxUploadBytes: number): boolean {
  const length = Number(headers['content-length']);
  return Number.isFinite(length) && length > maxUploadBytes + 64 * 1024;
}

export interface UploadOptions {
  pool: pg.Pool;
  key: ApiKey;
  maxBytes: number;
  idempotencyKey: string | null;
  defaultCollection: string | undefined;
}

export type UploadResult = FinalizeResult;

export function receiveUpload(req: Request, options: UploadOptions): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    // Thrown in the executor: the promise rejects with it (415).
    const bb = multipartParser(req, options.maxBytes);
    const fields: Record<string, string> = {};
    let filePromise: Promise<UploadResult> | undefined;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      req.resume();
      // Destroying the parser errors the file stream, so storeFile stops and deletes what it
      // wrote; without it a vanished client left the file stream (and the upload) pending.
      bb.destroy(err instanceof Error ? err : new Error(String(err)));
      reject(err);
    };
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (_name, stream, info) => {
      // storeFile may refuse the upload before it reads the stream (403, no collection), and
      // fail() then destroys the parser, which errors this stream: that must not go unheard.
      stream.on('error', () => undefined);
      if (filePromise) return void stream.resume();
      filePromise = storeFile(stream, info.filename, fields, options);
      filePromise.catch((err: unknown) => {
        stream.resume();
        fail(err);
      });
    });
    bb.on('filesLimit', () => fail(new HttpError(400, 'TooManyFiles', 'send exactly one file per request')));
    bb.on('error', (err) => fail(new HttpError(400, 'BadMultipart', `malformed multipart body: ${(err as Error).message}`)));
    bb.on('close', () => {
      if (failed) return;
      if (!filePromise) return fail(new HttpError(400, 'MissingFile', 'the request has no file part'));
      filePromise.then(resolve, fail);
    });
    req.on('close', () => {
      if (!req.complete) fail(new HttpError(400, 'Aborted', 'the client went away before the upload was complete'));
    });
    req.pipe(bb);
  });
}

/**
 * Reads an upload without storing anything: the collection it names and the SHA-256 of its file,
 * to tell a retry of an earlier request from a different request under the same Idempotency-Key.
 */
export function digestUpload(req: Request, maxBytes: number, defaultCollection: string | undefined): Promise<{ collection: string | undefined; sha256: string }> {
  return new Promise((resolve, reject) => {
    const bb = multipartParser(req, maxBytes);
    const fields: Record<string, string> = {};
    const hash = createHash('sha256');
    let sawFile = false;
    let tooLarge = false;
    let settled = false;
    const fail = (err: HttpError) => {
      if (settled) return;
      settled = true;
      req.unpipe(bb);
      req.resume();
      bb.destroy();
      reject(err);
    };
    bb.on('field', (name, value) => (fields[name] = value));
    bb.on('file', (_name, stream) => {
      // Failures surface through busboy's own 'error'; one here must not go unheard.
      stream.on('error', () => undefined);
      if (sawFile) return void stream.resume();
      sawFile = true;
      stream.on('data', (c: Buffer) => hash.update(c));
      stream.on('limit', () => (tooLarge = true));
    });
    bb.on('error', (err) => fail(new HttpError(400, 'BadMultipart', `malformed multipart body: ${(err as Error).message}`)));
    bb.on('close', () => {
      if (tooLarge) return fail(new HttpError(413, 'TooLarge', `the file is larger than the limit of ${maxBytes} bytes`));
      if (!sawFile) return fail(new HttpError(400, 'MissingFile', 'the request has no file part'));
      if (settled) return;
      settled = true;
      resolve({ collection: fields.collection ?? defaultCollection, sha256: hash.digest('hex') });
    });
    req.on('close', () => {
      if (!req.complete) fail(new HttpError(400, 'Aborted', 'the client went away before the upload was complete'));
    });
    req.pipe(bb);
  });
}

function multipartParser(req: Request, maxBytes: number): busboy.Busboy {
  try {
    return busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes, fields: 16, fieldSize: 64 * 1024, parts: 32 } });
  } catch (err) {
    throw new HttpError(415, 'UnsupportedMediaType', `expected multipart/form-data: ${(err as Error).message}`);
  }
}

async function storeFile(stream: Readable & { truncated?: boolean }, filename: string | undefined, fields: Record<string, string>, options: UploadOptions): Promise<UploadResult> {
  const collection = fields.collection ?? options.defaultCollection;
  if (!collection) throw new HttpError(400, 'MissingCollection', 'name the target collection in a "collection" field before the file part, or in ?collection=');
  if (!validCollection(collection)) throw new HttpError(400, 'InvalidCollection', `invalid collection name ${JSON.stringify(collection)}: 3-512 characters of [a-zA-Z0-9._-], starting and ending alphanumeric`);
  assertMayUse(options.key, collection);
  let metadata: Record<string, unknown> = {};
  if (fields.metadata !== undefined) {
    try {
      const parsed: unknown = JSON.parse(fields.metadata);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      metadata = parsed as Record<string, unknown>;
    } catch {
      throw new HttpError(400, 'InvalidMetadata', 'the "metadata" field must be a JSON object');
    }
  }
  const id = randomUUID();
  let created = false;
  let touchedAt = 0;
  // Once the first KiB (or the whole file, if smaller) is in and is a PDF's: record the upload,
  // before any part is written.
  const parts = new PartWriter(options.pool, id, {
    notPdf,
    accepted: async () => {
      await createUploading(options.pool, { id, collection, filename: filename ?? null, metadata, job: fields.job ?? null, apiKey: options.key.name, idempotencyKey: options.idempotencyKey });
      created = true;
      touchedAt = Date.now();
    },
  });
  // However slowly the bytes come, the row stays fresh, so the sweeper never takes a live upload.
  // The parts' COPY is ended first: waiting for a second connection while holding one could
  // leave every pooled connection held by an upload waiting for another.
  const heartbeat = async () => {
    await parts.commit();
    if (!(await touchUpload(options.pool, id))) throw abandoned();
    touchedAt = Date.now();
  };
  try {
    const tooLarge = () => new HttpError(413, 'TooLarge', `the file is larger than the limit of ${options.maxBytes} bytes`);
    await eachChunk(stream, (chunk) => {
      if (stream.truncated) throw tooLarge();
      if (created && Date.now() - touchedAt >= UPLOAD_HEARTBEAT_SECONDS * 1000) return heartbeat().then(() => parts.write(chunk));
      return parts.write(chunk);
    });
    if (stream.truncated) throw tooLarge();
    if (parts.size === 0) throw new HttpError(400, 'EmptyFile', 'the file is empty');
    const { sha256, size } = await parts.end();
    return await finalizeUpload(options.pool, id, sha256, size);
  } catch (err) {
    // The parts of a COPY under way are rolled back, not committed for the delete to remove.
    await parts.abort();
    if (created) await discardUpload(options.pool, id);
    // Another request took this Idempotency-Key between our check and our insert: it is still
    // streaming, or has just finished. Either way a retry is answered properly: replayed if it
    // is the same upload, 422 if not (that comparison needs the whole body, which we have not).
    if ((err as { code?: string }).code === '23505' && options.idempotencyKey) {
      throw new HttpError(409, 'IdempotencyConflict', 'a request with this Idempotency-Key is in progress or has just finished; retry', { 'retry-after': '2' });
    }
    // A part written for a row the sweeper has just removed as abandoned.
    if ((err as { code?: string }).code === '23503') throw abandoned();
    throw err;
  }
}

/**
 * Removes what an unfinished upload stored. When the upload failed because PostgreSQL went away,
 * this delete fails too: it is then retried in the background, with backoff, until PostgreSQL
 * answers, for as long as the sweeper would take to remove the upload itself (the sweeper
 * remains the backstop for an API process that dies meanwhile).
 */
async function discardUpload(pool: pg.Pool, id: string): Promise<void> {
  const giveUpAt = Date.now() + UPLOAD_ABANDONED_SECONDS * 1000;
  const attempt = () =>
    deleteUpload(pool, id).then(
      () => true,
      // Anything but an outage (the pool closed at shutdown, say) is not worth retrying.
      (err: unknown) => !isUnavailable(err),
    );
  if (await attempt()) return;
  void (async () => {
    for (let n = 1; Date.now() < giveUpAt; n++) {
      await new Promise((resolve) => setTimeout(resolve, backoffMs(n, 500, 15_000)).unref());
      if (await attempt()) return;
    }
  })();
}

const abandoned = () =>
  new HttpError(408, 'UploadAbandoned', `this upload was idle for more than ${UPLOAD_ABANDONED_SECONDS} s and has been discarded; send it again`);
const notPdf = () => new HttpError(415, 'NotPdf', 'the file is not a PDF (no %PDF- header in its first 1024 bytes)');
