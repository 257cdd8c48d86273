// Manifest sources: JSON lines with names and metadata (a ConfigMap's text sent as content),
// plain URI lines from a URL, Reindex replacing a document of the same content, and a manifest
// larger than one expansion page expanded once per entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './support/client.ts';
import { finished, jobDocuments, putJob, waitJob } from './support/jobs.ts';
import { prose, textPdf } from './support/pdf-factory.ts';
import { startPdfServer, type PdfServer } from './support/pdf-server.ts';
import { startStack, type Stack } from './support/stack.ts';

let s: Stack;
let key: string;
let files: PdfServer;
const collection = `jobs-manifest-${Date.now()}`;

beforeAll(async () => {
  s = await startStack({ env: { SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
  key = s.keys.admin!;
  files = await startPdfServer();
  for (let i = 0; i < 5; i++) files.files.set(`/m-${i}.pdf`, { body: await textPdf([prose(700 + i, 1, 100), prose(700 + i, 2, 100)]) });
  await s.startWorker();
});
afterAll(async () => {
  await s?.stop();
  await files?.close();
});

describe('a manifest job', () => {
  it('ingests JSON lines with their names and metadata, and skips blank and comment lines', async () => {
    const content = [
      '# handbooks, one per line',
      JSON.stringify({ uri: `${files.base}/m-0.pdf`, name: 'Zero.pdf', metadata: { team: 'hr', year: '2024' } }),
      '',
      JSON.stringify({ uri: `${files.base}/m-1.pdf`, metadata: { team: 'eng' } }),
      `${files.base}/m-2.pdf`,
      '',
    ].join('\n');
    const r = await putJob(s.base, key, 'manifest-content', { collection, sources: { manifest: { content } }, metadata: { source: 'cm', team: 'default' } });
    expect(r.status).toBe(201);
    const job = await waitJob(s.base, key, 'manifest-content', finished('Complete'));
    expect(job.counts).toEqual({ total: 3, pending: 0, queued: 0, active: 0, succeeded: 3, failed: 0, skipped: 0 });
    expect(job.pages).toBe(6);
    const docs = Object.fromEntries((await jobDocuments(s.base, key, 'manifest-content')).map((d) => [d.source.replace(`${files.base}/`, ''), d]));
    expect(docs['m-0.pdf']).toMatchObject({ filename: 'Zero.pdf', metadata: { source: 'cm', team: 'hr', year: '2024' } });
    expect(docs['m-1.pdf']).toMatchObject({ filename: 'm-1.pdf', metadata: { source: 'cm', team: 'eng' } });
    expect(docs['m-2.pdf']).toMatchObject({ filename: 'm-2.pdf', metadata: { source: 'cm', team: 'default' } });
  });

  it('reads a manifest from a URL; with Reindex a document of the same content replaces the older one', async () => {
    files.files.set('/list.txt', { body: Buffer.from(`${files.base}/m-2.pdf\n${files.base}/m-3.pdf\n`) });
    const older = (await jobDocuments(s.base, key, 'manifest-content')).find((d) => d.source === `${files.base}/m-2.pdf`);
    await putJob(s.base, key, 'manifest-url', { collection, sources: { manifest: { url: `${files.base}/list.txt` } }, dedupPolicy: 'Reindex' });
    const job = await waitJob(s.base, key, 'manifest-url', finished('Complete'));
    expect(job.counts).toMatchObject({ total: 2, succeeded: 2, skipped: 0 });
    expect((await call(s.base, key, 'GET', `/v1/documents/${older.id}`)).status).toBe(404);
    const search = await call(s.base, key, 'POST', '/v1/search', { collection, query: prose(702, 1, 12), limit: 3 });
    const replacement = (await jobDocuments(s.base, key, 'manifest-url')).find((d) => d.source === `${files.base}/m-2.pdf`);
    expect(search.body.results[0].documentId).toBe(replacement.id);
  });

  it('expands a manifest larger than a page once per entry, nothing while suspended, and purges all of it', async () => {
    // 6,000 lines (more than one expansion page of 5,000), all pointing at 4 documents' URLs
    // with distinct query strings, so that 6,000 documents exist but few bytes are served.
    const line = (i: number) => `${files.base}/m-${i % 4}.pdf?copy=${i}`;
    const content = Array.from({ length: 6000 }, (_, i) => line(i)).join('\n');
    await putJob(s.base, key, 'manifest-big', { collection: `${collection}-big`, sources: { manifest: { content } }, suspend: true });
    await waitJob(s.base, key, 'manifest-big', (j) => j.state === 'Suspended');
    // Suspended: no expansion, no fetching.
    await new Promise((r) => setTimeout(r, 1000));
    const held = await call(s.base, key, 'GET', '/v1/jobs/manifest-big');
    expect(held.body.job.expansion).toEqual({ done: false, documents: 0 });
    const grown = `${content}\n${line(6000)}\n${line(6001)}`;
    // Parallelism 1: this test is about expansion, not about ingesting 6,000 copies.
    await putJob(s.base, key, 'manifest-big', { collection: `${collection}-big`, sources: { manifest: { content: grown } }, suspend: false, parallelism: 1 });
    const job = await waitJob(s.base, key, 'manifest-big', (j) => j.expansion.done, 60_000);
    expect(job.expansion.documents).toBe(6002);
    const rows = await call(s.base, key, 'GET', '/v1/jobs/manifest-big/documents?limit=1000');
    expect(new Set(rows.body.documents.map((d: { source: string }) => d.source)).size).toBe(1000);
    // A purge of many documents: repeated until 204.
    let r = await call(s.base, key, 'DELETE', '/v1/jobs/manifest-big?purge=true');
    for (let i = 0; i < 100 && r.status === 202; i++) r = await call(s.base, key, 'DELETE', '/v1/jobs/manifest-big?purge=true');
    expect(r.status).toBe(204);
    expect((await call(s.base, key, 'GET', '/v1/documents?job=manifest-big')).body.documents).toEqual([]);
  });
});
