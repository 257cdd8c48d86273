// POST /v1/search: a collection's chunks nearest to a query, by meaning, by words, or both.
import express from 'express';
import { getCollection } from '../shared/db/collections.ts';
import type { AppDeps, Authed } from './app-deps.ts';
import { assertMayUse } from './auth.ts';
import { HttpError } from './http-error.ts';
import { search } from './search/search.ts';
import { parseSearchRequest } from './search/search-request.ts';

export function createSearchRouter(deps: AppDeps): express.Router {
  const router = express.Router();
  router.post('/search', express.json({ limit: '64kb' }), async (req: Authed, res) => {
    const request = parseSearchRequest(req.body, { mode: deps.searchMode, vectorWeight: deps.searchVectorWeight });
    assertMayUse(req.apiKey!, request.collection);
    const col = await getCollection(deps.pool, request.collection);
    if (!col) return void res.json({ results: [] });
    if (request.mode !== 'lexical' && (col.model !== deps.embedder.model || col.dimensions !== deps.embedder.dimensions)) {
      throw new HttpError(409, 'EmbeddingMismatch', `collection ${request.collection} holds ${col.model}/${col.dimensions} vectors; this API embeds with ${deps.embedder.model}/${deps.embedder.dimensions}`);
    }
    res.json({ mode: request.mode, results: await search(deps, request, col) });
  });
  return router;
}
