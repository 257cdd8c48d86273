// The PUT body of a job: the spec with its references resolved, complete and canonical.
import { describe, expect, it } from 'vitest';
import { buildJobBody } from '../../src/controller/job/job-request-body.ts';
import { specHash } from '../../src/shared/jobs/job-spec.ts';
import { defaultedJob } from '../support/jobs.ts';

const base = {
  collection: 'handbooks',
  metadata: {},
  dedupPolicy: 'Skip',
  parallelism: 10,
  priority: 50,
  suspend: false,
  document: { retries: 3 },
  failurePolicy: { rules: [] },
};
const inline = { inline: [{ uri: 'https://x.example/a.pdf' }] };

describe('buildJobBody', () => {
  it.each([
    ['defaults only: every field the API would default is spelled out', { sources: inline }, {}, { ...base, sources: inline }],
    [
      'inline documents keep their names and metadata',
      { sources: { inline: [{ uri: 'https://x.example/a.pdf', name: 'a', metadata: { team: 'hr' } }] } },
      {},
      { ...base, sources: { inline: [{ uri: 'https://x.example/a.pdf', name: 'a', metadata: { team: 'hr' } }] } },
    ],
    ['a manifest URL is passed on', { sources: { manifest: { url: 'https://x.example/list.jsonl' } } }, {}, { ...base, sources: { manifest: { url: 'https://x.example/list.jsonl' } } }],
    [
      "a manifest ConfigMap is sent as its key's text",
      { sources: { manifest: { configMapRef: { name: 'list' } } } },
      { manifestContent: 'https://x.example/a.pdf\n' },
      { ...base, sources: { manifest: { content: 'https://x.example/a.pdf\n' } } },
    ],
    [
      'an object store is sent with its credentials',
      { sources: { objectStore: { endpoint: 'http://s3:8333', bucket: 'docs', prefix: 'p/', region: 'eu', credentialsSecretRef: { name: 's3' } } } },
      { credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' } },
      { ...base, sources: { objectStore: { endpoint: 'http://s3:8333', bucket: 'docs', prefix: 'p/', region: 'eu', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' } } } },
    ],
    ['an object store without credentials', { sources: { objectStore: { bucket: 'docs' } } }, {}, { ...base, sources: { objectStore: { bucket: 'docs', prefix: '' } } }],
    [
      'every optional field',
      {
        sources: inline,
        metadata: { source: 'hr' },
        dedupPolicy: 'Reindex',
        parallelism: 4,
        priority: 90,
        suspend: true,
        activeDeadlineSeconds: 3600,
        document: { retries: 1, timeoutSeconds: 60 },
        failurePolicy: { maxFailedDocuments: 10, maxFailedPercent: 5, rules: [{ action: 'FailDocument', onErrorTypes: ['Encrypted'] }] },
        chunking: { chunkSize: 500 },
        embedding: { model: 'm', dimensions: 8, batchSize: 4 },
        retryNonce: '2',
        ttlSecondsAfterFinished: 86400,
        deletionPolicy: 'Delete',
      },
      {},
      {
        ...base,
        sources: inline,
        metadata: { source: 'hr' },
        dedupPolicy: 'Reindex',
        parallelism: 4,
        priority: 90,
        suspend: true,
        activeDeadlineSeconds: 3600,
        document: { retries: 1, timeoutSeconds: 60 },
        failurePolicy: { maxFailedDocuments: 10, maxFailedPercent: 5, rules: [{ action: 'FailDocument', onErrorTypes: ['Encrypted'] }] },
        chunking: { chunkSize: 500 },
        embedding: { model: 'm', dimensions: 8 },
        retryNonce: '2',
        ttlSecondsAfterFinished: 86400,
      },
    ],
    ['an embedding override naming neither model nor dimensions is left out', { sources: inline, embedding: { batchSize: 4 } }, {}, { ...base, sources: inline }],
  ])('%s', (_name, spec, refs, want) => {
    expect(buildJobBody(defaultedJob(spec), refs)).toEqual(want);
  });

  it('has no undefined values, so its JSON is exactly what is hashed', () => {
    const body = buildJobBody(defaultedJob({ sources: { objectStore: { bucket: 'docs' } } }), {});
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
    expect(JSON.stringify(body)).not.toContain('undefined');
  });

  it('hashes the same whatever the order of keys, and differently when a value changes', () => {
    const a = buildJobBody(defaultedJob({ sources: inline, metadata: { b: '1', a: '2' } }), {});
    const b = buildJobBody(defaultedJob({ metadata: { a: '2', b: '1' }, sources: inline }), {});
    expect(specHash(a)).toBe(specHash(b));
    expect(specHash(buildJobBody(defaultedJob({ sources: inline, parallelism: 3 }), {}))).not.toBe(specHash(a));
  });

  it('is a pure function of the spec: status and metadata do not change it', () => {
    const job = defaultedJob({ sources: inline });
    const other = { ...defaultedJob({ sources: inline }, { name: 'other', resourceVersion: '9' }), status: { phase: 'Running' as const } };
    expect(buildJobBody(other, {})).toEqual(buildJobBody(job, {}));
  });
});
