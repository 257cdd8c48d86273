// POST /v1/search: the nearest chunks of one collection to a query.
import express from 'express';
import { getCollection } from '../shared/db/collections.ts';
import type { AppDeps, Authed } from './app-deps.ts';
import { assertMayUse } from './auth.ts';
import { HttpError } from './http-error.ts';
import { isUuid } from './ids.ts';
import { searchChunks } from './search.ts';
import { validCollection } from './upload.ts';

export function createSearchRouter(deps: AppDeps): express.Router {
  const router = express.Router();
  router.post('/search', express.json({ limit: '64kb' }), async (req: Authed, res) => {
    const body = (req.body ?? {}) as { collection?: unknown; query?: unknown; limit?: unknown; documentId?: unknown };
    if (typeof body.collection !== 'string' || !validCollection(body.collection)) throw new HttpError(400, 'InvalidCollection', 'collection must be a valid collection name');
    if (typeof body.query !== 'string' || body.query.trim() === '' || body.query.length > 8192) throw new HttpError(400, 'InvalidQuery', 'query must be a non-empty string of at most 8192 characters');
    const limit = body.limit === undefined ? 10 : body.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100) throw new HttpError(400, 'InvalidLimit', 'limit must be an integer from 1 to 100');
    if (body.documentId !== undefined && !isUuid(body.documentId)) throw new HttpError(400, 'InvalidDocumentId', 'documentId must be a UUID');
    assertMayUse(req.apiKey!, body.collection);
    const col = await getCollection(deps.pool, body.collection);
    if (!col) return void res.json({ results: [] });
    if (col.model !== deps.embedder.model || col.dimensions !== deps.embedder.dimensions) {
      throw new HttpError(409, 'EmbeddingMismatch', `collection ${body.collection} holds ${col.model}/${col.dimensions} vectors; this API embeds with ${deps.embedder.model}/${deps.embedder.dimensions}`);
    }
    const [vector] = await deps.embedder.embed([body.query]);
    const hits = await searchChunks(deps.pool, deps.chroma, { collection: body.collection, vector: vector!, limit, model: col.model, dimensions: col.dimensions, documentId: body.documentId });
    res.json({ results: hits });
  });
  return router;
}
