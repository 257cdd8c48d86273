// POST /v1/search's body, validated: each refusal names its field.
import { SEARCH_MODES, type SearchMode } from '../../crd/search.ts';
import type { SearchFilters } from '../../shared/db/search-filters.ts';
import { HttpError } from '../http-error.ts';
import { isUuid } from '../ids.ts';
import { validCollection } from '../upload.ts';

export interface SearchRequest {
  collection: string;
  query: string;
  limit: number;
  mode: SearchMode;
  /** The vector leg's weight in hybrid fusion, 0 to 1. */
  vectorWeight: number;
  filters: SearchFilters;
}

const MAX_METADATA_KEYS = 32;
type Scalar = string | number | boolean;

const invalid = (code: string, message: string) => new HttpError(400, code, message);

function metadataFilter(value: unknown): Record<string, Scalar> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('InvalidMetadata', 'metadata must be an object of keys to match exactly');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0 || entries.length > MAX_METADATA_KEYS) throw invalid('InvalidMetadata', `metadata must name 1 to ${MAX_METADATA_KEYS} keys`);
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > 256) throw invalid('InvalidMetadata', 'metadata keys must be 1 to 256 characters');
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw invalid('InvalidMetadata', `metadata.${k} must be a string, a number or a boolean`);
  }
  return Object.fromEntries(entries) as Record<string, Scalar>;
}

function optionalString(body: Record<string, unknown>, key: string, max: number, code: string): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw invalid(code, `${key} must be a string of 1 to ${max} characters`);
  return v;
}

export function parseSearchRequest(raw: unknown, defaults: { mode: SearchMode; vectorWeight: number }): SearchRequest {
  const body = (raw ?? {}) as Record<string, unknown>;
  if (typeof body.collection !== 'string' || !validCollection(body.collection)) throw invalid('InvalidCollection', 'collection must be a valid collection name');
  if (typeof body.query !== 'string' || body.query.trim() === '' || body.query.length > 8192) throw invalid('InvalidQuery', 'query must be a non-empty string of at most 8192 characters');
  const limit = body.limit === undefined ? 10 : body.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('InvalidLimit', 'limit must be an integer from 1 to 100');
  const mode = body.mode === undefined ? defaults.mode : body.mode;
  if (typeof mode !== 'string' || !(SEARCH_MODES as readonly string[]).includes(mode)) throw invalid('InvalidMode', `mode must be one of ${SEARCH_MODES.join(', ')}`);
  const vectorWeight = body.vectorWeight === undefined ? defaults.vectorWeight : body.vectorWeight;
  if (typeof vectorWeight !== 'number' || !(vectorWeight >= 0 && vectorWeight <= 1)) throw invalid('InvalidVectorWeight', 'vectorWeight must be a number from 0 to 1');
  if (body.documentId !== undefined && !isUuid(body.documentId)) throw invalid('InvalidDocumentId', 'documentId must be a UUID');
  const job = optionalString(body, 'job', 253, 'InvalidJob');
  const source = optionalString(body, 'source', 2048, 'InvalidSource');
  const filters: SearchFilters = {
    ...(body.documentId === undefined ? {} : { documentId: body.documentId as string }),
    ...(job === undefined ? {} : { job }),
    ...(source === undefined ? {} : { sourcePrefix: source }),
    ...(body.metadata === undefined ? {} : { metadata: metadataFilter(body.metadata) }),
  };
  return { collection: body.collection, query: body.query, limit, mode: mode as SearchMode, vectorWeight, filters };
}
