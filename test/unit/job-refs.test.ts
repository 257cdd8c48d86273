// Reading what a job's sources reference: a missing ConfigMap, Secret or key is an answer that
// names the field, not an error.
import { describe, expect, it } from 'vitest';
import { resolveRefs } from '../../src/controller/job/job-refs.ts';
import { defaultedJob } from '../support/jobs.ts';
import type { RefReader } from '../../src/controller/runtime/ref-reader.ts';

const reader = (configMaps: Record<string, Record<string, string>>, secrets: Record<string, Record<string, string>>): RefReader => ({
  configMapData: async (_ns, name) => configMaps[name],
  secretData: async (_ns, name) => secrets[name],
});
const manifest = (key?: string) => defaultedJob({ sources: { manifest: { configMapRef: { name: 'list', ...(key ? { key } : {}) } } } });
const bucket = (key?: string) => defaultedJob({ sources: { objectStore: { bucket: 'docs', credentialsSecretRef: { name: 's3', ...(key ? { key } : {}) } } } });

describe('resolveRefs', () => {
  it.each([
    ['a manifest from the default key', manifest(), reader({ list: { documents: 'a\n' } }, {}), { ok: true, refs: { manifestContent: 'a\n' } }],
    ['a manifest from a named key', manifest('urls'), reader({ list: { urls: 'b\n' } }, {}), { ok: true, refs: { manifestContent: 'b\n' } }],
    ['a missing ConfigMap', manifest(), reader({}, {}), { ok: false, reason: 'ConfigMapNotFound', message: 'ConfigMap "list" referenced by spec.sources.manifest.configMapRef not found' }],
    ['a missing ConfigMap key', manifest(), reader({ list: { other: '' } }, {}), { ok: false, reason: 'ConfigMapKeyNotFound', message: 'ConfigMap "list" has no key "documents" (spec.sources.manifest.configMapRef.key)' }],
    ['credentials from the default keys', bucket(), reader({}, { s3: { accessKeyId: 'AK', secretAccessKey: 'SK' } }), { ok: true, refs: { credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' } } }],
    ["the ref's key names the access key id", bucket('AWS_ACCESS_KEY_ID'), reader({}, { s3: { AWS_ACCESS_KEY_ID: 'AK', secretAccessKey: 'SK' } }), { ok: true, refs: { credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' } } }],
    ['a missing Secret', bucket(), reader({}, {}), { ok: false, reason: 'SecretNotFound', message: 'Secret "s3" referenced by spec.sources.objectStore.credentialsSecretRef not found' }],
    ['a Secret without the secret access key', bucket(), reader({}, { s3: { accessKeyId: 'AK' } }), { ok: false, reason: 'SecretKeyNotFound', message: 'Secret "s3" has no key "secretAccessKey" (spec.sources.objectStore.credentialsSecretRef)' }],
    ['an object store without credentials', defaultedJob({ sources: { objectStore: { bucket: 'docs' } } }), reader({}, {}), { ok: true, refs: {} }],
    ['inline documents', defaultedJob({ sources: { inline: [{ uri: 'https://x/a.pdf' }] } }), reader({}, {}), { ok: true, refs: {} }],
  ])('%s', async (_name, job, r, want) => {
    expect(await resolveRefs(job, r)).toEqual(want);
  });
});
