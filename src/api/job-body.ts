// Validates the body of PUT /v1/jobs/{id} (docs/jobs.md) and fills in the CRD's defaults. Every
// error names the field it is about, as the apiserver would: `sources.inline[3].uri: …`.
import { ERROR_TYPES } from '../crd/common.ts';
import { FAILURE_ACTIONS } from '../crd/ingestion-job.ts';
import { OCR_LANGUAGES, OCR_MODES } from '../crd/ocr.ts';
import type { ErrorType } from '../shared/errors.ts';
import type { FailureRule, JobSpec, JobSources, SourceEntry } from '../shared/jobs/job-spec.ts';
import { HttpError } from './http-error.ts';
import { validCollection } from './upload.ts';

export const JOB_ID = /^[a-z0-9]([a-z0-9._-]{0,251}[a-z0-9])?$/;
const MAX_INLINE = 10_000;
const URI = /^(https?|s3):\/\//;
const BUCKET = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;

class Invalid extends Error {}

type Obj = Record<string, unknown>;

const fail = (path: string, message: string): never => {
  throw new Invalid(`${path}: ${message}`);
};

function object(v: unknown, path: string, allowed: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'must be an object');
  const o = v as Obj;
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(path ? `${path}.${k}` : k, 'unknown field');
  return o;
}

function string(v: unknown, path: string, limits: { min?: number; max: number; pattern?: RegExp; patternText?: string }): string {
  if (typeof v !== 'string') return fail(path, 'must be a string');
  if (v.length < (limits.min ?? 0)) fail(path, limits.min === 1 ? 'must not be empty' : `must be at least ${limits.min} characters`);
  if (v.length > limits.max) fail(path, `must be at most ${limits.max} characters`);
  if (limits.pattern && !limits.pattern.test(v)) fail(path, `must match ${limits.patternText ?? limits.pattern.source}`);
  return v;
}

function integer(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) return fail(path, 'must be an integer');
  if (v < min || v > max) fail(path, max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be between ${min} and ${max}`);
  return v;
}

function oneOf<const T extends readonly string[]>(v: unknown, path: string, values: T): T[number] {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(path, `must be one of ${values.join(', ')}`);
  return v as T[number];
}

function opt<T>(object: Obj, key: string, read: (v: unknown) => T): T | undefined {
  return object[key] === undefined ? undefined : read(object[key]);
}

function metadata(v: unknown, path: string): Record<string, string> {
  const o = object(v, path, Object.keys(v ?? {}));
  const entries = Object.entries(o);
  if (entries.length > 32) fail(path, 'must have at most 32 entries');
  for (const [k, val] of entries) {
    string(k, `${path}.${k}`, { min: 1, max: 253 });
    string(val, `${path}.${k}`, { max: 1024 });
  }
  return o as Record<string, string>;
}

function entry(v: unknown, path: string): SourceEntry {
  const o = object(v, path, ['uri', 'name', 'metadata']);
  return {
    uri: string(o.uri, `${path}.uri`, { min: 1, max: 2048, pattern: URI, patternText: 'http://, https:// or s3://' }),
    name: opt(o, 'name', (x) => string(x, `${path}.name`, { max: 512 })),
    metadata: opt(o, 'metadata', (x) => metadata(x, `${path}.metadata`)),
  };
}

function sources(v: unknown): JobSources {
  const o = object(v, 'sources', ['inline', 'manifest', 'objectStore']);
  const set = (['inline', 'manifest', 'objectStore'] as const).filter((k) => o[k] !== undefined);
  if (set.length !== 1) fail('sources', 'exactly one of inline, manifest or objectStore must be set');
  if (o.inline !== undefined) {
    if (!Array.isArray(o.inline)) fail('sources.inline', 'must be an array');
    const list = o.inline as unknown[];
    if (list.length === 0 || list.length > MAX_INLINE) fail('sources.inline', `must have 1 to ${MAX_INLINE} entries`);
    return { inline: list.map((e, i) => entry(e, `sources.inline[${i}]`)) };
  }
  if (o.manifest !== undefined) {
    const m = object(o.manifest, 'sources.manifest', ['url', 'content']);
    if ((m.url === undefined) === (m.content === undefined)) fail('sources.manifest', 'exactly one of url or content must be set');
    return {
      manifest: {
        url: opt(m, 'url', (x) => string(x, 'sources.manifest.url', { min: 1, max: 2048, pattern: URI, patternText: 'http://, https:// or s3://' })),
        content: opt(m, 'content', (x) => string(x, 'sources.manifest.content', { max: 4 * 1024 * 1024 })),
      },
    };
  }
  const s = object(o.objectStore, 'sources.objectStore', ['endpoint', 'bucket', 'prefix', 'region', 'credentials']);
  const credentials = opt(s, 'credentials', (x) => {
    const c = object(x, 'sources.objectStore.credentials', ['accessKeyId', 'secretAccessKey']);
    return {
      accessKeyId: string(c.accessKeyId, 'sources.objectStore.credentials.accessKeyId', { min: 1, max: 256 }),
      secretAccessKey: string(c.secretAccessKey, 'sources.objectStore.credentials.secretAccessKey', { min: 1, max: 1024 }),
    };
  });
  return {
    objectStore: {
      endpoint: opt(s, 'endpoint', (x) => string(x, 'sources.objectStore.endpoint', { max: 2048, pattern: /^https?:\/\//, patternText: 'http:// or https://' })),
      bucket: string(s.bucket, 'sources.objectStore.bucket', { min: 3, max: 63, pattern: BUCKET }),
      prefix: opt(s, 'prefix', (x) => string(x, 'sources.objectStore.prefix', { max: 1024 })) ?? '',
      region: opt(s, 'region', (x) => string(x, 'sources.objectStore.region', { max: 64 })),
      credentials,
    },
  };
}

function rules(v: unknown): FailureRule[] {
  if (!Array.isArray(v)) return fail('failurePolicy.rules', 'must be an array');
  if (v.length > 20) fail('failurePolicy.rules', 'must have at most 20 rules');
  return v.map((r, i) => {
    const path = `failurePolicy.rules[${i}]`;
    const o = object(r, path, ['action', 'onErrorTypes']);
    if (!(FAILURE_ACTIONS as readonly unknown[]).includes(o.action)) fail(`${path}.action`, `must be one of ${FAILURE_ACTIONS.join(', ')}`);
    if (!Array.isArray(o.onErrorTypes) || o.onErrorTypes.length === 0) fail(`${path}.onErrorTypes`, 'must be a non-empty array');
    (o.onErrorTypes as unknown[]).forEach((t, k) => {
      if (!(ERROR_TYPES as readonly unknown[]).includes(t)) fail(`${path}.onErrorTypes[${k}]`, `must be one of ${ERROR_TYPES.join(', ')}`);
    });
    return { action: o.action as FailureRule['action'], onErrorTypes: o.onErrorTypes as ErrorType[] };
  });
}

const TOP = [
  'collection',
  'sources',
  'metadata',
  'dedupPolicy',
  'parallelism',
  'priority',
  'suspend',
  'activeDeadlineSeconds',
  'document',
  'failurePolicy',
  'chunking',
  'embedding',
  'ocr',
  'retryNonce',
  'ttlSecondsAfterFinished',
] as const;

function parse(body: unknown): JobSpec {
  const o = object(body, '', TOP);
  const collection = string(o.collection, 'collection', { min: 3, max: 512 });
  if (!validCollection(collection)) fail('collection', 'must be 3-512 characters of [a-zA-Z0-9._-], start and end alphanumeric, no "..", not an IPv4 address');
  const document = o.document === undefined ? {} : object(o.document, 'document', ['retries', 'timeoutSeconds']);
  const policy = o.failurePolicy === undefined ? {} : object(o.failurePolicy, 'failurePolicy', ['maxFailedDocuments', 'maxFailedPercent', 'rules']);
  const chunking = opt(o, 'chunking', (x) => {
    const c = object(x, 'chunking', ['chunkSize', 'chunkOverlap']);
    const out = { chunkSize: opt(c, 'chunkSize', (v) => integer(v, 'chunking.chunkSize', 100, 16000)), chunkOverlap: opt(c, 'chunkOverlap', (v) => integer(v, 'chunking.chunkOverlap', 0, 8000)) };
    if (out.chunkSize !== undefined && out.chunkOverlap !== undefined && out.chunkOverlap >= out.chunkSize) fail('chunking.chunkOverlap', 'must be smaller than chunkSize');
    return out;
  });
  const embedding = opt(o, 'embedding', (x) => {
    const e = object(x, 'embedding', ['model', 'dimensions']);
    return { model: opt(e, 'model', (v) => string(v, 'embedding.model', { min: 1, max: 256 })), dimensions: opt(e, 'dimensions', (v) => integer(v, 'embedding.dimensions', 8, 8192)) };
  });
  const ocr = opt(o, 'ocr', (x) => {
    const r = object(x, 'ocr', ['mode', 'languages']);
    return {
      mode: opt(r, 'mode', (v) => oneOf(v, 'ocr.mode', OCR_MODES)),
      languages: opt(r, 'languages', (v) => {
        if (!Array.isArray(v) || v.length < 1 || v.length > 4) fail('ocr.languages', 'must be a list of 1 to 4 languages');
        return (v as unknown[]).map((l, i) => oneOf(l, `ocr.languages[${i}]`, OCR_LANGUAGES));
      }),
    };
  });
  const dedup = o.dedupPolicy ?? 'Skip';
  if (dedup !== 'Skip' && dedup !== 'Reindex') fail('dedupPolicy', 'must be Skip or Reindex');
  if (o.suspend !== undefined && typeof o.suspend !== 'boolean') fail('suspend', 'must be true or false');
  return {
    collection,
    sources: sources(o.sources),
    metadata: opt(o, 'metadata', (x) => metadata(x, 'metadata')) ?? {},
    dedupPolicy: dedup as JobSpec['dedupPolicy'],
    parallelism: opt(o, 'parallelism', (x) => integer(x, 'parallelism', 1, 10000)) ?? 10,
    priority: opt(o, 'priority', (x) => integer(x, 'priority', 0, 100)) ?? 50,
    suspend: (o.suspend as boolean | undefined) ?? false,
    activeDeadlineSeconds: opt(o, 'activeDeadlineSeconds', (x) => integer(x, 'activeDeadlineSeconds', 1)),
    document: {
      retries: opt(document, 'retries', (x) => integer(x, 'document.retries', 0, 20)) ?? 3,
      timeoutSeconds: opt(document, 'timeoutSeconds', (x) => integer(x, 'document.timeoutSeconds', 5, 3600)),
    },
    failurePolicy: {
      maxFailedDocuments: opt(policy, 'maxFailedDocuments', (x) => integer(x, 'failurePolicy.maxFailedDocuments', 0)),
      maxFailedPercent: opt(policy, 'maxFailedPercent', (x) => integer(x, 'failurePolicy.maxFailedPercent', 0, 100)),
      rules: opt(policy, 'rules', rules) ?? [],
    },
    chunking,
    embedding,
    ocr,
    retryNonce: opt(o, 'retryNonce', (x) => string(x, 'retryNonce', { max: 63 })),
    ttlSecondsAfterFinished: opt(o, 'ttlSecondsAfterFinished', (x) => integer(x, 'ttlSecondsAfterFinished', 0)),
  };
}

/** The spec with defaults, or a 422 InvalidJob naming the field. */
export function parseJobBody(body: unknown): JobSpec {
  try {
    return parse(body);
  } catch (err) {
    if (err instanceof Invalid) throw new HttpError(422, 'InvalidJob', err.message.replace(/^: /, ''));
    throw err;
  }
}
