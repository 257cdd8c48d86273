// The document routes under /v1: upload, read, list, delete and reindex.
import express from 'express';
import { getCollection } from '../shared/db/collections.ts';
import type { DocumentRow } from '../shared/db/document-row.ts';
import { countQueued, deleteDocument, findByIdempotencyKey, getDocument, listDocuments, requestReindex } from '../shared/db/document-queries.ts';
import { errorFields } from '../shared/logger.ts';
import { enqueueDocument } from '../shared/queue.ts';
import type { AppDeps, Authed } from './app-deps.ts';
import { assertMayUse } from './auth.ts';
import { toView } from './document-view.ts';
import { HttpError } from './http-error.ts';
import { isUuid } from './ids.ts';
import { encodeCursor } from './list-cursor.ts';
import { parseListQuery, queryString } from './list-query.ts';
import { declaresTooLarge, digestUpload, receiveUpload } from './upload.ts';

export function createDocumentsRouter(deps: AppDeps): express.Router {
  const router = express.Router();

  // The document is durable in PostgreSQL already: if Redis is down, the sweeper enqueues it.
  const enqueueOrLeaveToSweeper = (doc: DocumentRow) =>
    enqueueDocument(deps.queue, doc.id, doc.attempts).catch((err: unknown) => deps.log.warn('enqueue failed; the sweeper will retry', errorFields(err)));

  // The backlog is read from PostgreSQL, the source of truth: it counts documents whose jobs a
  // lost Redis dropped, and uploads keep working while Redis is away (the sweeper enqueues them).
  let depthCache = { at: 0, depth: 0 };
  const queueDepth = async () => {
    if (Date.now() - depthCache.at > 500) depthCache = { at: Date.now(), depth: await countQueued(deps.pool) };
    return depthCache.depth;
  };

  const loadAllowed = async (req: Authed): Promise<DocumentRow> => {
    const id = String(req.params.id);
    const doc = isUuid(id) ? await getDocument(deps.pool, id) : undefined;
    if (!doc || doc.state === 'uploading') throw new HttpError(404, 'NotFound', `no document ${id}`);
    assertMayUse(req.apiKey!, doc.collection);
    return doc;
  };

  router.post('/documents', async (req: Authed, res) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(type)) throw new HttpError(415, 'UnsupportedMediaType', 'upload the PDF as multipart/form-data with a "file" part');
    if (declaresTooLarge(req.headers, deps.maxUploadBytes)) throw new HttpError(413, 'TooLarge', `the upload is larger than the limit of ${deps.maxUploadBytes} bytes`);
    if ((await queueDepth()) >= deps.maxQueueDepth) throw new HttpError(503, 'Backpressure', `the queue holds ${deps.maxQueueDepth} or more documents; retry later`, { 'retry-after': '30' });
    const idem = req.header('idempotency-key') ?? null;
    if (idem !== null && (idem.length === 0 || idem.length > 255)) throw new HttpError(400, 'InvalidIdempotencyKey', 'Idempotency-Key must be 1-255 characters');
    const collection = queryString(req, 'collection');
    if (idem) {
      const existing = await findByIdempotencyKey(deps.pool, req.apiKey!.name, idem);
      if (existing) {
        // A retry must be the same request: the same file for the same collection.
        const again = await digestUpload(req, deps.maxUploadBytes, collection);
        if (again.sha256 !== existing.sha256 || again.collection !== existing.collection) {
          throw new HttpError(422, 'IdempotencyKeyReused', `Idempotency-Key ${JSON.stringify(idem)} was used for a different upload (document ${existing.id}); use a new key for a new upload`);
        }
        res.setHeader('idempotent-replayed', 'true');
        return void res.status(200).json({ document: toView(existing), duplicate: true });
      }
    }
    const result = await receiveUpload(req, { pool: deps.pool, key: req.apiKey!, maxBytes: deps.maxUploadBytes, idempotencyKey: idem, defaultCollection: collection });
    if (result.kind === 'duplicate') return void res.status(200).json({ document: toView(result.doc), duplicate: true });
    deps.metrics.uploadBytes.inc(Number(result.doc.size_bytes ?? 0));
    await enqueueOrLeaveToSweeper(result.doc);
    res.status(202).location(`/v1/documents/${result.doc.id}`).json({ document: toView(result.doc), duplicate: false });
  });

  router.get('/documents/:id', async (req: Authed, res) => {
    res.json({ document: toView(await loadAllowed(req)) });
  });

  router.get('/documents', async (req: Authed, res) => {
    const { state, limit, after } = parseListQuery(req);
    const collection = queryString(req, 'collection');
    if (collection !== undefined) assertMayUse(req.apiKey!, collection);
    const rows = await listDocuments(deps.pool, { collections: req.apiKey!.collections, collection, state, job: queryString(req, 'job'), limit, after });
    const last = rows.at(-1);
    res.json({ documents: rows.map(toView), nextCursor: rows.length === limit && last ? encodeCursor(last) : null });
  });

  router.delete('/documents/:id', async (req: Authed, res) => {
    const doc = await loadAllowed(req);
    // Read before the delete takes its connection: the callback must not need a second one.
    const col = await getCollection(deps.pool, doc.collection);
    // Chunks first: if Chroma is down the record stays and the delete can be retried.
    const outcome = await deleteDocument(deps.pool, doc.id, async () => {
      if (col) await deps.chroma.deleteDocument(doc.collection, doc.id, col.model, col.dimensions);
    });
    if (outcome === 'processing') throw new HttpError(409, 'InProgress', 'the document is being processed; retry when it has finished', { 'retry-after': '5' });
    if (outcome === 'missing') throw new HttpError(404, 'NotFound', `no document ${doc.id}`);
    res.status(204).end();
  });

  router.post('/documents/:id/reindex', async (req: Authed, res) => {
    const doc = await loadAllowed(req);
    const updated = await requestReindex(deps.pool, doc.id);
    if (!updated) throw new HttpError(409, 'InProgress', `the document is ${doc.state}; only succeeded or failed documents can be reindexed`);
    await enqueueOrLeaveToSweeper(updated);
    res.status(202).json({ document: toView(updated) });
  });

  return router;
}
