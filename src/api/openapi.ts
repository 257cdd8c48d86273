// The OpenAPI document served at /openapi.json. A test checks that its paths are the routes.
const err = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const docResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', properties: { document: { $ref: '#/components/schemas/Document' } } } } },
});
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Sluice data-plane API', version: '1' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      schemas: {
        Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
        Document: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' },
            collection: { type: 'string' },
            sha256: { type: 'string' },
            filename: { type: ['string', 'null'] },
            sizeBytes: { type: 'integer' },
            metadata: { type: 'object' },
            job: { type: ['string', 'null'] },
            state: { enum: ['queued', 'processing', 'succeeded', 'failed'] },
            stage: { type: ['string', 'null'] },
            attempts: { type: 'integer' },
            pages: { type: ['integer', 'null'] },
            chunks: { type: ['integer', 'null'] },
            error: { type: ['object', 'null'], properties: { type: { type: 'string' }, message: { type: 'string' } } },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
            startedAt: { type: ['string', 'null'], format: 'date-time' },
            finishedAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
      },
    },
    security: [{ bearer: [] }, { apiKey: [] }],
    paths: {
      '/healthz': { get: { security: [], summary: 'Liveness', responses: { 200: { description: 'alive' } } } },
      '/readyz': { get: { security: [], summary: 'PostgreSQL and Redis reachable', responses: { 200: { description: 'ready' }, 503: { description: 'not ready' } } } },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' }, 401: err('No or unknown API key') } } },
      '/v1/documents': {
        post: {
          summary: 'Upload a PDF (streamed). Fields before the file: collection (or ?collection=), metadata (JSON object), job.',
          parameters: [
            { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } },
            { name: 'collection', in: 'query', required: false, schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: { type: 'object', required: ['file'], properties: { collection: { type: 'string' }, metadata: { type: 'string' }, job: { type: 'string' }, file: { type: 'string', format: 'binary' } } },
              },
            },
          },
          responses: {
            202: docResponse('Accepted: recorded in PostgreSQL and queued'),
            200: docResponse('The same content already exists in the collection, or an Idempotency-Key replay'),
            400: err('Malformed request'),
            401: err('No or unknown API key'),
            403: err('The key may not use the collection'),
            409: err('An upload with the same Idempotency-Key is in progress'),
            413: err('Larger than the upload limit'),
            422: err('The Idempotency-Key was used for a different upload'),
            415: err('Not multipart, or the file is not a PDF'),
            429: err('Rate limited (Retry-After)'),
            503: err('Queue over its cap, or a store unreachable (Retry-After)'),
          },
        },
        get: {
          summary: 'List documents',
          parameters: [
            { name: 'collection', in: 'query', schema: { type: 'string' } },
            { name: 'state', in: 'query', schema: { enum: ['queued', 'processing', 'succeeded', 'failed'] } },
            { name: 'job', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'A page of documents and nextCursor' }, 400: err('Bad filter'), 401: err('Unauthenticated'), 403: err('Forbidden') },
        },
      },
      '/v1/documents/{id}': {
        get: { summary: 'One document', parameters: [idParam], responses: { 200: docResponse('The document'), 404: err('Not found'), 403: err('Forbidden') } },
        delete: {
          summary: 'Delete a document, its chunks in Chroma and its bytes',
          parameters: [idParam],
          responses: { 204: { description: 'Deleted' }, 404: err('Not found'), 409: err('Being processed'), 503: err('Chroma or PostgreSQL unreachable') },
        },
      },
      '/v1/documents/{id}/reindex': {
        post: { summary: 'Process a finished document again', parameters: [idParam], responses: { 202: docResponse('Queued'), 404: err('Not found'), 409: err('Not finished') } },
      },
      '/v1/search': {
        post: {
          summary: 'Embed the query and return the nearest chunks',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['collection', 'query'],
                  properties: { collection: { type: 'string' }, query: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 100 }, documentId: { type: 'string', format: 'uuid' } },
                },
              },
            },
          },
          responses: { 200: { description: 'results: [{documentId, chunkIndex, pageStart, pageEnd, text, score, distance}]' }, 400: err('Bad request'), 409: err('Embedding model mismatch') },
        },
      },
    },
  };
}
