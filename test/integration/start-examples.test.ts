// An integration test: it runs the kubectl the control plane's set-up has built (unit tests need no binaries).
// What `npm start` applies in namespace docs: manifests/dev/examples as the built kubectl's
// kustomize renders it, with the job's object store moved where pods reach it and small chunks.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBinaries } from '@sluice/devenv/binaries';
import { REDIS_IMAGE } from '@sluice/devenv/images/redis-image';
import { run } from '@sluice/devenv/run';
import { DEMO_CHUNKING, renderExamples, type Kubectl } from '@sluice/devenv/start/install';

const repo = new URL('../../', import.meta.url).pathname;
type Resources = { resources?: { requests?: Record<string, string> } };
type Obj = { kind: string; metadata: { name: string }; spec?: { chunking?: unknown; redis?: { image?: string }; api?: Resources; workers?: Resources; sources?: { objectStore?: { endpoint?: string; bucket?: string } } } };
let kubectl: Kubectl;

beforeAll(async () => {
  const bin = (await ensureBinaries()).kubectl;
  kubectl = async (args, input) => (await run(bin, args, input === undefined ? {} : { input })).stdout;
});

describe('renderExamples', () => {
  it('keeps every example object and the overlay\'s Redis image, and changes only the endpoint, the chunking and the CPU requests', async () => {
    const objects = (await renderExamples(kubectl, repo, 'http://192.0.2.2:8333')) as Obj[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['IngestionCluster/docs', 'IngestionJob/handbooks-2026', 'Secret/docs-api-keys', 'Secret/docs-postgres', 'Secret/examples-s3']);
    const cluster = objects.find((o) => o.kind === 'IngestionCluster')!;
    const job = objects.find((o) => o.kind === 'IngestionJob')!;
    expect(job.spec?.sources?.objectStore).toMatchObject({ endpoint: 'http://192.0.2.2:8333', bucket: 'sluice-examples' });
    expect(cluster.spec?.chunking).toEqual(DEMO_CHUNKING);
    expect(cluster.spec?.redis?.image).toBe(REDIS_IMAGE);
    // Small enough CPU requests for several workers on the 2-CPU node.
    expect(cluster.spec?.api?.resources?.requests).toMatchObject({ cpu: '50m' });
    expect(cluster.spec?.workers?.resources?.requests).toMatchObject({ cpu: '100m' });
  });

  it('refuses an overlay without a job reading an object store, naming what it needs', async () => {
    const noJob: Kubectl = async (args, input) => (await kubectl(args, input)).split('\n---\n').filter((d) => !d.includes('kind: IngestionJob')).join('\n---\n');
    await expect(renderExamples(noJob, repo, 'http://192.0.2.2:8333')).rejects.toThrow(/IngestionJob with an objectStore source/);
  });
});
