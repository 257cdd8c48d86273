// s3:// fetching and bucket listing against a real SeaweedFS with checked credentials (built
// from the Go module proxy into the cache on first use: ~6 minutes once, then ~2 s to start).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@sluice/devenv/net';
import { startSeaweedFs, type SeaweedFs } from '@sluice/devenv/seaweedfs';
import { seedBucket } from '@sluice/devenv/seaweedfs-objects';
import { DocumentError } from '../../src/shared/errors.ts';
import { fetchDocument, readAll } from '../../src/worker/fetch/fetch-document.ts';
import type { FetchSettings } from '../../src/shared/config/fetch-settings.ts';
import { listPdfPage, type ObjectStoreSource } from '../../src/worker/fetch/object-store-lister.ts';
import { FetchRefused } from '../../src/worker/fetch/ssrf-guard.ts';

const settings: FetchSettings = { allowPrivateNetworks: true, maxBytes: 1 << 20, connectTimeoutMs: 2000, timeoutMs: 10_000, maxRedirects: 5, denyHosts: [] };
const signal = () => new AbortController().signal;
const pdf = (n: number) => Buffer.from(`%PDF-1.7\n% document ${n}\n${'x'.repeat(n)}\n%%EOF\n`);

let sw: SeaweedFs;
const pdfKeys = Array.from({ length: 50 }, (_, i) => `batch/${String(i).padStart(2, '0')}-report.${i % 5 === 0 ? 'PDF' : 'pdf'}`);

beforeAll(async () => {
  sw = await startSeaweedFs();
  await seedBucket(sw, 'docs', [
    { key: 'a.pdf', body: pdf(1000) },
    { key: 'big.pdf', body: Buffer.alloc(2 << 20, 0x61) },
    ...pdfKeys.map((key, i) => ({ key, body: pdf(i) })),
    ...['batch/notes.txt', 'batch/report.pdf.bak', 'batch/image.png', 'batch/pdf', 'batch/sub/readme.md'].map((key) => ({ key, body: 'not a pdf' })),
    ...['other/outside.pdf', 'batchy/near-miss.pdf'].map((key) => ({ key, body: pdf(1) })),
  ]);
}, 30 * 60_000);

afterAll(async () => {
  await sw?.stop();
});

const creds = () => ({ accessKeyId: sw.accessKeyId, secretAccessKey: sw.secretAccessKey, endpoint: sw.s3Url, region: sw.region });

async function failure(p: Promise<unknown>): Promise<DocumentError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DocumentError);
  return e as DocumentError;
}

describe('s3:// documents', () => {
  it('gets an object with the right credentials', async () => {
    const body = await readAll(await fetchDocument('s3://docs/a.pdf', settings, { signal: signal(), s3: creds() }));
    expect(body.equals(pdf(1000))).toBe(true);
  });

  it('connects to a named endpoint through the guard\'s lookup', async () => {
    const endpoint = sw.s3Url.replace('127.0.0.1', 'localhost');
    const body = await readAll(await fetchDocument('s3://docs/a.pdf', settings, { signal: signal(), s3: { ...creds(), endpoint } }));
    expect(body.equals(pdf(1000))).toBe(true);
    const page = await listPdfPage({ endpoint, bucket: 'docs', prefix: 'other/', credentials: creds() }, undefined, 10, settings);
    expect(page.keys.map((k) => k.key)).toEqual(['other/outside.pdf']);
  });

  it('fails permanently with a wrong secret', async () => {
    const e = await failure(fetchDocument('s3://docs/a.pdf', settings, { signal: signal(), s3: { ...creds(), secretAccessKey: 'wrong-secret' } }));
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: true });
    expect(e.message).toMatch(/answered 403/);
  });

  it('fails permanently with an unknown access key', async () => {
    const e = await failure(fetchDocument('s3://docs/a.pdf', settings, { signal: signal(), s3: { ...creds(), accessKeyId: 'nobody' } }));
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: true });
  });

  it('fails permanently on a missing key', async () => {
    const e = await failure(fetchDocument('s3://docs/missing.pdf', settings, { signal: signal(), s3: creds() }));
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: true });
    expect(e.message).toMatch(/answered 404/);
  });

  it('refuses an object over the size cap', async () => {
    const e = await failure(fetchDocument('s3://docs/big.pdf', settings, { signal: signal(), s3: creds() }));
    expect(e).toMatchObject({ type: 'TooLarge', permanent: true });
  });

  it('refuses a loopback endpoint unless private networks are allowed, before any request', async () => {
    const e = await failure(fetchDocument('s3://docs/a.pdf', { ...settings, allowPrivateNetworks: false }, { signal: signal(), s3: creds() }));
    expect(e).toBeInstanceOf(FetchRefused);
    expect(e.message).toMatch(/loopback/);
  });

  it('reports an endpoint that refuses connections as transient', async () => {
    const port = await freePort();
    const e = await failure(fetchDocument('s3://docs/a.pdf', settings, { signal: signal(), s3: { ...creds(), endpoint: `http://127.0.0.1:${port}` } }));
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: false });
  });
});

describe('listing PDFs under a prefix', () => {
  const source = (): ObjectStoreSource => ({ endpoint: sw.s3Url, bucket: 'docs', prefix: 'batch/', region: sw.region, credentials: { accessKeyId: sw.accessKeyId, secretAccessKey: sw.secretAccessKey } });

  it('lists 50 PDFs in pages of 20 with continuation, ignoring other keys', async () => {
    const seen: { key: string; size: number }[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await listPdfPage(source(), token, 20, settings);
      expect(page.keys.length).toBeLessThanOrEqual(20);
      seen.push(...page.keys);
      token = page.next;
      pages++;
      expect(pages).toBeLessThan(10);
    } while (token);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.map((k) => k.key).sort()).toEqual([...pdfKeys].sort());
    expect(seen.find((k) => k.key === pdfKeys[7])?.size).toBe(pdf(7).length);
  });

  it('fails permanently with wrong credentials', async () => {
    const e = await failure(listPdfPage({ ...source(), credentials: { accessKeyId: sw.accessKeyId, secretAccessKey: 'wrong' } }, undefined, 20, settings));
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: true });
  });

  it('refuses a link-local endpoint', async () => {
    const e = await failure(listPdfPage({ ...source(), endpoint: 'http://169.254.169.254' }, undefined, 20, settings));
    expect(e).toBeInstanceOf(FetchRefused);
  });
});
