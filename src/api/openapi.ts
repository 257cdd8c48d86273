// The OpenAPI document served at /openapi.json. A test checks that its paths are the routes.
import { LISTED_STATES } from '../shared/db/document-row.ts';
import { searchHitSchema, searchPath } from './openapi-search.ts';

const err = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const docResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', properties: { document: { $ref: '#/components/schemas/Document' } } } } },
});
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const jobIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9]([a-z0-9._-]{0,251}[a-z0-9])?$' } };
const jobResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', properties: { job: { $ref: '#/components/schemas/Job' } } } } },
});
const count = { type: 'integer', minimum: 0 };

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Sluice data-plane API', version: '1' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      schemas: {
        SearchHit: searchHitSchema,
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
            source: { type: ['string', 'null'], description: 'Where a job document is fetched from' },
            state: { enum: LISTED_STATES },
            stage: { type: ['string', 'null'] },
            attempts: { type: 'integer' },
            pages: { type: ['integer', 'null'] },
            pagesOcr: { type: ['integer', 'null'], description: 'Pages whose text OCR recognised' },
            pagesWithoutText: { type: ['integer', 'null'], description: 'Pages left without text (OCR off, past its page budget, or nothing recognised)' },
            chunks: { type: ['integer', 'null'] },
            error: { type: ['object', 'null'], properties: { type: { type: 'string' }, message: { type: 'string' } } },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
            startedAt: { type: ['string', 'null'], format: 'date-time' },
            finishedAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
        JobBody: {
          type: 'object',
          description: 'An IngestionJob spec with references resolved (docs/jobs.md). Unknown fields are refused.',
          required: ['collection', 'sources'],
          properties: {
            collection: { type: 'string' },
            sources: {
              type: 'object',
              description: 'Exactly one of inline, manifest, objectStore',
              properties: {
                inline: { type: 'array', maxItems: 10000, items: { type: 'object', required: ['uri'], properties: { uri: { type: 'string' }, name: { type: 'string' }, metadata: { type: 'object' } } } },
                manifest: { type: 'object', description: 'Exactly one of url, content', properties: { url: { type: 'string' }, content: { type: 'string' } } },
                objectStore: {
                  type: 'object',
                  required: ['bucket'],
                  properties: {
                    endpoint: { type: 'string' },
                    bucket: { type: 'string' },
                    prefix: { type: 'string' },
                    region: { type: 'string' },
                    credentials: { type: 'object', properties: { accessKeyId: { type: 'string' }, secretAccessKey: { type: 'string' } } },
                  },
                },
              },
            },
            metadata: { type: 'object' },
            dedupPolicy: { enum: ['Skip', 'Reindex'], default: 'Skip' },
            parallelism: { type: 'integer', minimum: 1, maximum: 10000, default: 10 },
            priority: { type: 'integer', minimum: 0, maximum: 100, default: 50 },
            suspend: { type: 'boolean', default: false },
            activeDeadlineSeconds: { type: 'integer', minimum: 1 },
            document: { type: 'object', properties: { retries: { type: 'integer', minimum: 0, maximum: 20, default: 3 }, timeoutSeconds: { type: 'integer', minimum: 5, maximum: 3600 } } },
            failurePolicy: {
              type: 'object',
              properties: {
                maxFailedDocuments: { type: 'integer', minimum: 0 },
                maxFailedPercent: { type: 'integer', minimum: 0, maximum: 100 },
                rules: { type: 'array', items: { type: 'object', properties: { action: { enum: ['FailJob', 'FailDocument', 'Ignore', 'Retry'] }, onErrorTypes: { type: 'array', items: { type: 'string' } } } } },
              },
            },
            chunking: { type: 'object', properties: { chunkSize: { type: 'integer' }, chunkOverlap: { type: 'integer' } } },
            embedding: { type: 'object', properties: { model: { type: 'string' }, dimensions: { type: 'integer' } } },
            retryNonce: { type: 'string', maxLength: 63 },
            ttlSecondsAfterFinished: { type: 'integer', minimum: 0 },
          },
        },
        Job: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            collection: { type: 'string' },
            state: { enum: ['Pending', 'Running', 'Suspended', 'Complete', 'Failed'] },
            reason: { type: ['string', 'null'] },
            message: { type: ['string', 'null'] },
            failureTarget: { type: ['object', 'null'], properties: { reason: { type: 'string' }, message: { type: 'string' } } },
            specHash: { type: 'string', description: 'sha256 hex of the canonical JSON of the body last PUT' },
            retryNonce: { type: ['string', 'null'] },
            expansion: { type: 'object', properties: { done: { type: 'boolean' }, documents: count } },
            counts: {
              type: 'object',
              properties: { total: count, pending: count, queued: count, active: count, succeeded: count, failed: count, skipped: count },
            },
            pages: count,
            chunks: count,
            rate: { type: 'number', description: 'Finished documents per second over the last minute' },
            etaSeconds: { type: ['integer', 'null'] },
            startTime: { type: ['string', 'null'], format: 'date-time' },
            completionTime: { type: ['string', 'null'], format: 'date-time' },
            embedding: { type: 'object', properties: { model: { type: 'string' }, dimensions: { type: 'integer' } } },
            lastFailures: {
              type: 'array',
              maxItems: 20,
              items: {
                type: 'object',
                properties: { document: { type: 'string' }, source: { type: ['string', 'null'] }, errorType: { type: ['string', 'null'] }, message: { type: ['string', 'null'] }, attempts: count },
              },
            },
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
            { name: 'state', in: 'query', schema: { enum: LISTED_STATES } },
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
      '/v1/jobs/{id}': {
        put: {
          summary: 'Create or update an ingestion job (idempotent)',
          parameters: [jobIdParam],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/JobBody' } } } },
          responses: {
            201: jobResponse('Created'),
            200: jobResponse('Updated or unchanged'),
            400: err('Not a JSON object'),
            403: err('The key may not use the collection'),
            409: err('Immutable: collection or the kind of source changed; Deleting: a purge is under way'),
            422: err('InvalidJob naming the field, or EmbeddingMismatch'),
          },
        },
        get: { summary: 'A job with its progress', parameters: [jobIdParam], responses: { 200: jobResponse('The job'), 404: err('Not found'), 403: err('Forbidden') } },
        delete: {
          summary: "Stop a job and delete its record; with purge=true also its documents and their chunks",
          parameters: [jobIdParam, { name: 'purge', in: 'query', schema: { type: 'boolean', default: false } }],
          responses: {
            204: { description: 'Gone' },
            202: { description: '{remaining}: documents still being processed or deleted; repeat the request' },
            404: err('Not found'),
            503: err('Chroma or PostgreSQL unreachable'),
          },
        },
      },
      '/v1/jobs/{id}/documents': {
        get: {
          summary: "A job's documents, paginated like /v1/documents",
          parameters: [
            jobIdParam,
            { name: 'state', in: 'query', schema: { enum: LISTED_STATES } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'documents and nextCursor' }, 400: err('Bad filter'), 404: err('Not found') },
        },
      },
      '/v1/queue': {
        get: {
          summary: 'Queue depth and live workers',
          responses: {
            200: {
              description:
                '{waiting, active, delayed, delayedDue, pending, expanding, depth, failed, oldestWaitingSeconds, workers: [{id, busy, active, concurrency, lastHeartbeat, draining}]}',
            },
            503: err('Redis unreachable'),
          },
        },
      },
      '/v1/workers/drain': {
        put: {
          summary: 'The autoscaler: exactly these workers take no new document (for 30 s unless sent again)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['workers'], properties: { workers: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 253 } } } } } },
          },
          responses: { 200: { description: '{draining, ttlSeconds}' }, 403: err('Key limited to collections'), 422: err('Not a list of worker ids') },
        },
      },
      '/v1/search': searchPath,
    },
  };
}
