// POST /v1/search in the OpenAPI document.
import { SEARCH_MODES } from '../crd/search.ts';

const rank = { type: ['integer', 'null'], minimum: 1 };

export const searchHitSchema = {
  type: 'object',
  properties: {
    documentId: { type: 'string', format: 'uuid' },
    filename: { type: ['string', 'null'] },
    source: { type: ['string', 'null'], description: "The document's source URI (an IngestionJob's document)" },
    job: { type: ['string', 'null'] },
    metadata: { type: 'object' },
    chunkIndex: { type: 'integer' },
    pageStart: { type: 'integer' },
    pageEnd: { type: 'integer' },
    text: { type: 'string' },
    score: { type: 'number', description: 'Weighted reciprocal-rank fusion: Σ weight / (10 + rank) over the legs that found the chunk' },
    ranks: { type: 'object', properties: { vector: rank, lexical: rank }, description: 'The chunk’s rank in each leg, null where a leg did not find it' },
    distance: { type: ['number', 'null'], description: 'Cosine distance, when the vector leg found it' },
    bm25: { type: ['number', 'null'], description: 'BM25 score, when the lexical leg found it' },
    sharedByDocuments: { type: 'integer', minimum: 1, description: 'Documents of the collection holding this same text; it is answered once' },
    textSource: { enum: ['native', 'ocr'], description: 'ocr when the text of a page the chunk spans was recognised (it had no text layer)' },
  },
};

export const searchPath = {
  post: {
    summary: 'The chunks of a collection nearest to a query: by embedding (vector), by words (lexical, BM25), or both fused (hybrid)',
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['collection', 'query'],
            properties: {
              collection: { type: 'string' },
              query: { type: 'string', maxLength: 8192 },
              limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
              mode: { enum: SEARCH_MODES, description: "The cluster's spec.search.mode when left out" },
              vectorWeight: { type: 'number', minimum: 0, maximum: 1, description: "The vector leg's weight in hybrid fusion; the cluster's when left out" },
              documentId: { type: 'string', format: 'uuid', description: 'Only this document' },
              job: { type: 'string', description: "Only this job's documents" },
              source: { type: 'string', description: 'Only documents whose source URI starts with this' },
              metadata: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, description: 'Only documents whose metadata has these values' },
            },
          },
        },
      },
    },
    responses: {
      200: {
        description: 'The mode used and the results, best first',
        content: { 'application/json': { schema: { type: 'object', properties: { mode: { enum: SEARCH_MODES }, results: { type: 'array', items: { $ref: '#/components/schemas/SearchHit' } } } } } },
      },
      400: { description: 'A field is invalid; the error names it' },
      403: { description: 'The key may not read this collection' },
      409: { description: "The collection's embedding model differs from the API's" },
    },
  },
};
