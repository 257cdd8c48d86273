// What the CRDs say to users about IngestionJobs: partial overrides, the fetch settings in
// kubectl explain, and the printer columns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, kubectl, kubectlOk } from '../support/kube.ts';

let ns: Awaited<ReturnType<typeof createNamespace>>;
beforeAll(async () => void (ns = await createNamespace('ijcrd')));
afterAll(async () => ns?.remove());

const job = (name: string, extra: string) => `apiVersion: sluice.dev/v1alpha1
kind: IngestionJob
metadata: { name: ${name} }
spec:
  clusterRef: { name: docs }
  collection: handbooks
  sources: { inline: [{ uri: "https://docs.example/a.pdf" }] }
${extra}`;

describe('IngestionJob CRD', () => {
  it('accepts overrides that name only some fields, as documented', async () => {
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], job('partial', '  embedding: { model: bge-small }\n  chunking: { chunkSize: 500 }\n'));
    const spec = JSON.parse(await kubectlOk(['get', 'ij', 'partial', '-n', ns.name, '-o', 'jsonpath={.spec}'])) as Record<string, unknown>;
    expect(spec.embedding).toEqual({ model: 'bge-small' });
    expect(spec.chunking).toEqual({ chunkSize: 500 });
  });

  it('still refuses an overlap not below the chunk size', async () => {
    const r = await kubectl(['apply', '-n', ns.name, '-f', '-'], job('overlap', '  chunking: { chunkSize: 500, chunkOverlap: 500 }\n'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/chunkOverlap must be smaller than chunkSize/);
  });

  it('shows Rate and ETA in the wide listing only', async () => {
    const [narrow, wide] = await Promise.all([kubectlOk(['get', 'ij', '-n', ns.name]), kubectlOk(['get', 'ij', '-n', ns.name, '-o', 'wide'])]);
    expect(narrow.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+PROGRESS\s+SUCCEEDED\s+FAILED\s+CLUSTER\s+AGE$/);
    expect(wide.split('\n')[0]).toMatch(/\bRATE\s+ETA\b/);
  });

  it('documents the workers fetch settings for kubectl explain', async () => {
    const out = await kubectlOk(['explain', 'ingestioncluster.spec.workers.fetch.allowPrivateNetworks']);
    expect(out).toMatch(/private\s+addresses/);
    expect(out).toMatch(/Off\s+by\s+default/);
  });
});
