// IngestionJobs through the whole system: kubectl applies them, the real operator submits and
// follows them through the cluster's API with its own key, real workers fetch the documents from
// an HTTP server and a real S3-compatible server (SeaweedFS), and kubectl shows the result.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeaweedFs, type SeaweedFs } from '@sluice/devenv/seaweedfs';
import { seedBucket } from '@sluice/devenv/seaweedfs-objects';
import type { IngestionJob } from '../../src/crd/ingestion-job.ts';
import { call, type Json } from '../dataplane/support/client.ts';
import { jobDocuments } from '../dataplane/support/jobs.ts';
import { prose, textPdf } from '../dataplane/support/pdf-factory.ts';
import { startPdfServer, type PdfServer } from '../dataplane/support/pdf-server.ts';
import { eventually, kubectl, kubectlOk } from '../support/kube.ts';
import { CLUSTER, startSystem, type System } from './support/system.ts';

let sys: System;
let web: PdfServer;
let s3: SeaweedFs;
const N = 50;
const code = (source: string, i: number) => `${source}${String(i).padStart(2, '0')}`;
// Page 2 of every document, and only that page, holds words no other document has (the offline
// embedder is lexical: a page of nothing else is that query's nearest chunk). The other pages
// differ between documents too: Chroma's HNSW index loses recall among many identical vectors.
const words = (c: string) => `${c}alpha ${c}bravo ${c}charlie ${c}delta`;
let seed = 0;
const pdfWithCode = (c: string) => {
  seed += 2;
  return textPdf([prose(seed, 1, 150), `Record ${words(c)}. `.repeat(12), prose(seed + 1, 3, 120)]);
};

beforeAll(async () => {
  [sys, web, s3] = await Promise.all([startSystem('sys'), startPdfServer(), startSeaweedFs()]);
  for (let i = 0; i < N; i++) web.files.set(`/web/${i}.pdf`, { body: await pdfWithCode(code('web', i)) });
  for (let i = 0; i < 30; i++) web.files.set(`/more/${i}.pdf`, { body: await pdfWithCode(code('more', i)) });
  const objects = await Promise.all(Array.from({ length: N }, async (_, i) => ({ key: `reports/2026/${i}.pdf`, body: await pdfWithCode(code('bucket', i)) })));
  await seedBucket(s3, 'corpus', [...objects, { key: 'reports/2026/readme.txt', body: 'not a PDF' }, { key: 'elsewhere/x.pdf', body: await pdfWithCode('outside') }]);
}, 30 * 60_000);
afterAll(async () => {
  await sys?.stop();
  await web?.close();
  await s3?.stop();
});

const ij = (name: string) => kubectlOk(['get', 'ij', name, '-n', sys.namespace, '-o', 'json']).then((s) => JSON.parse(s) as IngestionJob);
const waitComplete = (name: string, timeout = '240s') => kubectl(['wait', '-n', sys.namespace, `--for=condition=Complete`, `--timeout=${timeout}`, `ij/${name}`]);
const search = async (collection: string, query: string): Promise<Json[]> => (await call(sys.apiBase, sys.operatorKey, 'POST', '/v1/search', { collection, query, limit: 3 })).body.results;

const manifestJob = (name: string, collection: string, configMap: string, parallelism: number) => `apiVersion: sluice.dev/v1alpha1
kind: IngestionJob
metadata: { name: ${name} }
spec:
  clusterRef: { name: ${CLUSTER} }
  collection: ${collection}
  sources: { manifest: { configMapRef: { name: ${configMap}, key: documents } } }
  metadata: { origin: web }
  parallelism: ${parallelism}
`;

const manifestConfigMap = (name: string, lines: string[]) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\ndata:\n  documents: |\n${lines.map((l) => `    ${l}`).join('\n')}\n`;

describe('IngestionJobs on a whole system', () => {
  it('runs a ConfigMap manifest of 50 web PDFs and 50 PDFs under an S3 prefix to Complete; kubectl wait returns and kubectl get ij reads right', async () => {
    const lines = Array.from({ length: N }, (_, i) =>
      i % 2 === 0 ? JSON.stringify({ uri: `${web.base}/web/${i}.pdf`, name: `web-${i}.pdf`, metadata: { n: String(i) } }) : `${web.base}/web/${i}.pdf`,
    );
    await sys.apply(manifestConfigMap('web-list', lines));
    await sys.apply(manifestJob('web', 'web-docs', 'web-list', 6));
    await sys.apply(`apiVersion: v1\nkind: Secret\nmetadata: { name: corpus-s3 }\nstringData: { accessKeyId: ${s3.accessKeyId}, secretAccessKey: ${s3.secretAccessKey} }\n`);
    await sys.apply(`apiVersion: sluice.dev/v1alpha1
kind: IngestionJob
metadata: { name: bucket }
spec:
  clusterRef: { name: ${CLUSTER} }
  collection: bucket-docs
  sources:
    objectStore: { endpoint: "${s3.s3Url}", bucket: corpus, prefix: reports/, region: ${s3.region}, credentialsSecretRef: { name: corpus-s3 } }
  parallelism: 8
`);

    const [w, b] = await Promise.all([waitComplete('web'), waitComplete('bucket')]);
    expect(w.code, w.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    for (const name of ['web', 'bucket']) {
      const job = await ij(name);
      expect(job.status?.phase).toBe('Complete');
      expect(job.status?.progress).toBe(`${N}/${N}`);
      expect(job.status?.counts).toMatchObject({ total: N, succeeded: N, failed: 0, skipped: 0, active: 0, queued: 0 });
      expect(job.status?.pages).toBe(3 * N);
      expect(job.status?.observedGeneration).toBe(job.metadata.generation);
      expect(job.status?.embedding).toEqual({ model: 'sluice-hash-v1', dimensions: 384 });
      const cond = (t: string) => job.status?.conditions?.find((c) => c.type === t)?.status;
      expect([cond('Complete'), cond('SuccessCriteriaMet'), cond('Failed')]).toEqual(['True', 'True', 'False']);
      expect(job.metadata.finalizers).toContain('sluice.dev/job-cleanup');
    }
    const table = await kubectlOk(['get', 'ij', '-n', sys.namespace]);
    const [header, ...rows] = table.trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(header).toEqual(['NAME', 'STATUS', 'PROGRESS', 'SUCCEEDED', 'FAILED', 'CLUSTER', 'AGE']);
    expect(rows.map((r) => r.slice(0, 6))).toEqual([
      ['bucket', 'Complete', `${N}/${N}`, String(N), '0', CLUSTER],
      ['web', 'Complete', `${N}/${N}`, String(N), '0', CLUSTER],
    ]);

    // A document's own words are found on the page they are printed on.
    const [hit] = await search('web-docs', words('web17'));
    expect(hit.text).toContain('web17alpha');
    expect(hit.pageStart).toBe(2);
    const docs = await jobDocuments(sys.apiBase, sys.operatorKey, (await ij('web')).metadata.uid!);
    expect(docs.find((d: Json) => d.id === hit.documentId)?.source).toBe(`${web.base}/web/17.pdf`);
    const [s3hit] = await search('bucket-docs', words('bucket33'));
    expect(s3hit.text).toContain('bucket33alpha');
    expect(s3hit.pageStart).toBe(2);
    // The bucket's credentials went through the API and the workers, and are nowhere in the jobs
    // table as text: only sealed.
    const db = new pg.Client({ connectionString: sys.schema.url });
    await db.connect();
    try {
      const rows = (await db.query<{ row: string; sealed: string | null }>('SELECT row_to_json(j)::text AS row, sealed_credentials AS sealed FROM jobs j')).rows;
      expect(rows).toHaveLength(2);
      for (const { row } of rows) for (const secret of [s3.accessKeyId, s3.secretAccessKey]) expect(row).not.toContain(secret);
      expect(rows.filter((r) => r.sealed !== null)).toHaveLength(1);
    } finally {
      await db.end();
    }
    // Only .pdf objects under the prefix were taken.
    const bucketDocs = await jobDocuments(sys.apiBase, sys.operatorKey, (await ij('bucket')).metadata.uid!);
    expect(bucketDocs.map((d: Json) => d.source).sort()).toEqual(Array.from({ length: N }, (_, i) => `s3://corpus/reports/2026/${i}.pdf`).sort());
  });

  it('survives the operator being killed mid-job: no duplicate document, exact counts', async () => {
    for (let i = 0; i < 30; i++) web.files.get(`/more/${i}.pdf`)!.delayMs = 150;
    await sys.apply(manifestConfigMap('more-list', Array.from({ length: 30 }, (_, i) => `${web.base}/more/${i}.pdf`)));
    await sys.apply(manifestJob('more', 'more-docs', 'more-list', 2));
    await eventually('the job to be running with some documents done', async () => {
      const s = (await ij('more')).status;
      return (s?.counts?.succeeded ?? 0) >= 3 && (s?.counts?.succeeded ?? 0) < 30;
    }, 120_000);
    await sys.stopOperator();
    // The job goes on without the operator; a new operator finds it mid-way and follows it.
    await new Promise((r) => setTimeout(r, 1500));
    await sys.restartOperator();
    const done = await waitComplete('more');
    expect(done.code, done.stderr).toBe(0);
    const job = await ij('more');
    expect(job.status?.counts).toMatchObject({ total: 30, succeeded: 30, failed: 0, skipped: 0 });
    const docs = await jobDocuments(sys.apiBase, sys.operatorKey, job.metadata.uid!);
    expect(docs).toHaveLength(30);
    expect(new Set(docs.map((d: Json) => d.source)).size).toBe(30);
    for (let i = 0; i < 30; i++) expect(web.hits.get(`/more/${i}.pdf`)).toBe(1);
  });

  it('deletes a job with deletionPolicy Delete: chunks gone from Chroma, rows from PostgreSQL; Retain keeps both', async () => {
    const uidOf = async (n: string) => (await ij(n)).metadata.uid!;
    const [webUid, bucketUid] = [await uidOf('web'), await uidOf('bucket')];
    await kubectlOk(['patch', 'ij', 'web', '-n', sys.namespace, '--type=merge', '-p', '{"spec":{"deletionPolicy":"Delete"}}']);
    await eventually('the operator to see the new policy', async () => (await ij('web')).status?.observedGeneration === (await ij('web')).metadata.generation);
    await kubectlOk(['delete', 'ij', 'web', 'bucket', '-n', sys.namespace, '--wait=true', '--timeout=120s']);
    expect((await call(sys.apiBase, sys.operatorKey, 'GET', `/v1/jobs/${webUid}`)).status).toBe(404);
    expect((await call(sys.apiBase, sys.operatorKey, 'GET', `/v1/documents?job=${webUid}`)).body.documents).toEqual([]);
    expect(await search('web-docs', words('web17'))).toEqual([]);
    // Retain: the job record goes, its documents and chunks stay.
    expect((await call(sys.apiBase, sys.operatorKey, 'GET', `/v1/documents?job=${bucketUid}&limit=1000`)).body.documents).toHaveLength(N);
    expect((await search('bucket-docs', words('bucket33')))[0]?.text).toContain('bucket33alpha');
  });
});
