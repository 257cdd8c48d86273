// The body of PUT /v1/jobs/{id}: defaults filled in, and every refusal naming its field.
import { describe, expect, it } from 'vitest';
import { parseJobBody } from '../../../src/api/job-body.ts';
import { HttpError } from '../../../src/api/http-error.ts';
import { sourceKey, specHash } from '../../../src/shared/jobs/job-spec.ts';
import { stableStringify } from '../../../src/shared/stable-stringify.ts';

const ok = { collection: 'handbooks', sources: { inline: [{ uri: 'https://example.com/a.pdf' }] } };

function refusal(body: unknown): string {
  try {
    parseJobBody(body);
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(422);
    return (err as HttpError).message;
  }
  throw new Error('accepted');
}

describe('parseJobBody', () => {
  it('fills in the CRD defaults', () => {
    expect(parseJobBody(ok)).toMatchObject({
      dedupPolicy: 'Skip',
      parallelism: 10,
      priority: 50,
      suspend: false,
      metadata: {},
      document: { retries: 3 },
      failurePolicy: { rules: [] },
    });
  });

  it('keeps object-store credentials and the manifest content', () => {
    const s = parseJobBody({ collection: 'abc', sources: { objectStore: { bucket: 'docs', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } } } });
    expect(s.sources.objectStore).toMatchObject({ bucket: 'docs', prefix: '', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    expect(parseJobBody({ collection: 'abc', sources: { manifest: { content: 'https://x/a.pdf\n' } } }).sources.manifest).toEqual({ content: 'https://x/a.pdf\n', url: undefined });
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', [], /^must be an object/],
    ['an unknown field', { ...ok, clusterRef: { name: 'x' } }, /^clusterRef: unknown field/],
    ['no collection', { sources: ok.sources }, /^collection: must be a string/],
    ['a bad collection', { ...ok, collection: 'a..b' }, /^collection: /],
    ['two sources', { ...ok, sources: { ...ok.sources, objectStore: { bucket: 'abc' } } }, /^sources: exactly one/],
    ['a bad URI', { ...ok, sources: { inline: [ok.sources.inline[0], { uri: 'file:///etc/passwd' }] } }, /^sources\.inline\[1\]\.uri: must match/],
    ['a bad metadata value', { ...ok, sources: { inline: [{ uri: 'https://x/a.pdf', metadata: { a: 1 } }] } }, /^sources\.inline\[0\]\.metadata\.a: must be a string/],
    ['manifest with both', { ...ok, sources: { manifest: { url: 'https://x/m', content: 'x' } } }, /^sources\.manifest: exactly one of url or content/],
    ['a bad bucket', { ...ok, sources: { objectStore: { bucket: 'A' } } }, /^sources\.objectStore\.bucket: /],
    ['parallelism 0', { ...ok, parallelism: 0 }, /^parallelism: must be between 1 and 10000/],
    ['priority 101', { ...ok, priority: 101 }, /^priority: /],
    ['a fractional deadline', { ...ok, activeDeadlineSeconds: 1.5 }, /^activeDeadlineSeconds: must be an integer/],
    ['retries 21', { ...ok, document: { retries: 21 } }, /^document\.retries: /],
    ['an unknown action', { ...ok, failurePolicy: { rules: [{ action: 'Explode', onErrorTypes: ['Corrupt'] }] } }, /^failurePolicy\.rules\[0\]\.action: /],
    ['an unknown error type', { ...ok, failurePolicy: { rules: [{ action: 'Ignore', onErrorTypes: ['Corrupt', 'Gremlins'] }] } }, /^failurePolicy\.rules\[0\]\.onErrorTypes\[1\]: /],
    ['overlap ≥ size', { ...ok, chunking: { chunkSize: 200, chunkOverlap: 200 } }, /^chunking\.chunkOverlap: must be smaller/],
    ['a long retryNonce', { ...ok, retryNonce: 'x'.repeat(64) }, /^retryNonce: /],
    ['suspend as a string', { ...ok, suspend: 'yes' }, /^suspend: /],
  ])('refuses %s', (_name, body, message) => {
    expect(refusal(body)).toMatch(message);
  });
});

describe('specHash', () => {
  it('does not depend on key order, at any depth', () => {
    const a = { collection: 'c', sources: { inline: [{ uri: 'u', metadata: { b: '1', a: '2' } }] }, priority: 5 };
    const b = { priority: 5, sources: { inline: [{ metadata: { a: '2', b: '1' }, uri: 'u' }] }, collection: 'c' };
    expect(specHash(a)).toBe(specHash(b));
    expect(specHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(specHash({ ...a, priority: 6 })).not.toBe(specHash(a));
  });
  it('sorts keys by code unit, not by locale', () => {
    expect(stableStringify({ b: 1, B: 2, a: { Z: 1, _: 2 } })).toBe('{"B":2,"a":{"Z":1,"_":2},"b":1}');
  });
});

describe('sourceKey', () => {
  it('is the URI, or a hash of a very long one', () => {
    expect(sourceKey('https://x/a.pdf')).toBe('https://x/a.pdf');
    expect(sourceKey(`https://x/${'a'.repeat(2000)}`)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
