// The CRDs as users meet them: kubectl apply, get, explain, and the apiserver's validation.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiextensionsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { createNamespace, kubeConfig, kubectl, kubectlOk } from '../support/kube.ts';

const examples = (f: string) => readFileSync(new URL(`../../examples/${f}`, import.meta.url), 'utf8');

const cluster = (spec: string, name = 'c1') => `apiVersion: sluice.dev/v1alpha1
kind: IngestionCluster
metadata: { name: ${name} }
spec:
  stores:
    postgres: { secretRef: { name: pg } }
    chroma: { url: "http://chroma:8000" }
${spec}`;

const job = (spec: string, name = 'j1') => `apiVersion: sluice.dev/v1alpha1
kind: IngestionJob
metadata: { name: ${name} }
spec:
${spec}`;

const validJob = (over: { cluster?: string; collection?: string } = {}) =>
  job(`  clusterRef: { name: ${over.cluster ?? 'c1'} }
  collection: ${over.collection ?? 'docs'}
  sources:
    inline: [{ uri: "https://example.com/a.pdf" }]`);

let ns: Awaited<ReturnType<typeof createNamespace>>;
beforeAll(async () => {
  ns = await createNamespace('crds');
});
afterAll(async () => ns.remove());

const apply = (manifest: string) => kubectl(['apply', '-n', ns.name, '-f', '-'], manifest);

describe('CRDs', () => {
  it('are Established', async () => {
    const ext = kubeConfig().makeApiClient(ApiextensionsV1Api);
    for (const name of ['ingestionclusters.sluice.dev', 'ingestionjobs.sluice.dev']) {
      const crd = await ext.readCustomResourceDefinition({ name });
      const established = crd.status?.conditions?.find((c) => c.type === 'Established');
      expect(established?.status, name).toBe('True');
    }
  });

  it('accept the examples, with defaults filled in', async () => {
    for (const f of ['secrets.yaml', 'ingestion-cluster.yaml', 'ingestion-job.yaml']) {
      await kubectlOk(['apply', '-n', ns.name, '-f', '-'], examples(f));
    }
    const ic = JSON.parse(await kubectlOk(['get', 'ic', 'docs', '-n', ns.name, '-o', 'json']));
    expect(ic.spec.redis.image).toBe('redis:7.4-alpine');
    expect(ic.spec.autoscaling.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(ic.spec.autoscaling.scaleUp.policies).toHaveLength(2);
    expect(ic.spec.embedding.batchSize).toBe(64);
    const ij = JSON.parse(await kubectlOk(['get', 'ij', 'handbooks-2026', '-n', ns.name, '-o', 'json']));
    expect(ij.spec.priority).toBe(50);
    expect(ij.spec.failurePolicy.rules[0].onErrorTypes).toContain('Encrypted');
  });

  it('keep the default scaling policies when only a stabilization window is set', async () => {
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], cluster('  autoscaling: { scaleDown: { stabilizationWindowSeconds: 60 } }', 'window-only'));
    const ic = JSON.parse(await kubectlOk(['get', 'ic', 'window-only', '-n', ns.name, '-o', 'json']));
    expect(ic.spec.autoscaling.scaleDown).toEqual({ stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
  });
});

describe('the apiserver refuses invalid resources, naming the field', () => {
  const cases: [string, string, RegExp][] = [
    ['an unknown autoscaling mode', cluster('  autoscaling: { mode: Sometimes }'), /spec\.autoscaling\.mode: Unsupported value: "Sometimes"/],
    ['negative API replicas', cluster('  api: { replicas: -1 }'), /spec\.api\.replicas: Invalid value: -1/],
    ['an API port that is the metrics port', cluster('  api: { port: 9090 }'), /spec\.api\.port: Invalid value: .*9090 is the metrics port/],
    ['minReplicas above maxReplicas', cluster('  autoscaling: { minReplicas: 5, maxReplicas: 2 }'), /spec\.autoscaling\.minReplicas: .*minReplicas must not exceed maxReplicas/],
    ['chunk overlap not below chunk size', cluster('  chunking: { chunkSize: 500, chunkOverlap: 500 }'), /spec\.chunking\.chunkOverlap: .*chunkOverlap must be smaller than chunkSize/],
    ['external Redis without a secret', cluster('  redis: { mode: External }'), /spec\.redis\.externalSecretRef: .*required when mode is External/],
    ['an OpenAI-compatible embedder without endpoint', cluster('  embedding: { provider: OpenAICompatible }'), /spec\.embedding\.endpoint: .*endpoint is required/],
    ['a grace period shorter than the document timeout', cluster('  workers: { documentTimeoutSeconds: 600, terminationGracePeriodSeconds: 60 }'), /spec\.workers\.terminationGracePeriodSeconds: /],
    ['a Chroma URL that is not http(s)', cluster('', 'c2').replace('http://chroma:8000', 'ftp://chroma'), /spec\.stores\.chroma\.url: Invalid value: "ftp:\/\/chroma"/],
    ['a cluster without stores', 'apiVersion: sluice.dev/v1alpha1\nkind: IngestionCluster\nmetadata: { name: c3 }\nspec: { suspend: false }\n', /spec\.stores: Required value/],
    ['an unknown (misspelt) field', cluster('  workers: { concurency: 4 }'), /unknown field "spec\.workers\.concurency"/],
    ['two source kinds at once', job('  clusterRef: { name: c1 }\n  collection: docs\n  sources:\n    inline: [{ uri: "https://e.com/a.pdf" }]\n    objectStore: { bucket: my-bucket }'), /spec\.sources: .*exactly one of sources\.inline, sources\.manifest or sources\.objectStore/],
    ['no source at all', job('  clusterRef: { name: c1 }\n  collection: docs\n  sources: {}'), /spec\.sources: .*exactly one of/],
    ['a collection name with ".."', validJob({ collection: 'a..b' }), /spec\.collection: .*two consecutive periods/],
    ['a too-short collection name', validJob({ collection: 'ab' }), /spec\.collection: Invalid value: "ab"/],
    ['a collection name that is an IPv4 address', validJob({ collection: '"192.168.1.1"' }), /spec\.collection: .*IPv4/],
    ['an unknown error type in a failure rule', job('  clusterRef: { name: c1 }\n  collection: docs\n  sources: { inline: [{ uri: "https://e.com/a.pdf" }] }\n  failurePolicy: { rules: [{ action: FailJob, onErrorTypes: [Bogus] }] }'), /spec\.failurePolicy\.rules\[0\]\.onErrorTypes\[0\]: Unsupported value: "Bogus"/],
    ['zero parallelism', job('  clusterRef: { name: c1 }\n  collection: docs\n  parallelism: 0\n  sources: { inline: [{ uri: "https://e.com/a.pdf" }] }'), /spec\.parallelism: Invalid value: 0/],
    ['a source URI of an unsupported scheme', job('  clusterRef: { name: c1 }\n  collection: docs\n  sources: { inline: [{ uri: "file:///etc/passwd" }] }'), /spec\.sources\.inline\[0\]\.uri: Invalid value/],
    ['a job without clusterRef', job('  collection: docs\n  sources: { inline: [{ uri: "https://e.com/a.pdf" }] }'), /spec\.clusterRef: Required value/],
  ];

  it.each(cases)('%s', async (_what, manifest, error) => {
    const r = await apply(manifest);
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stderr).toMatch(error);
  });

  it('changing clusterRef of an existing job', async () => {
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], validJob({ cluster: 'c1' }).replace('name: j1', 'name: immutable-ref'));
    const r = await apply(validJob({ cluster: 'other' }).replace('name: j1', 'name: immutable-ref'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/spec\.clusterRef: Invalid value: .*clusterRef is immutable/);
  });

  it('changing the collection of an existing job', async () => {
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], validJob({ collection: 'first' }).replace('name: j1', 'name: immutable-col'));
    const r = await apply(validJob({ collection: 'second' }).replace('name: j1', 'name: immutable-col'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/spec\.collection: Invalid value: .*collection is immutable/);
  });

  it('but lets the rest of a job change (the spec stays editable)', async () => {
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], validJob().replace('name: j1', 'name: editable'));
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], validJob().replace('name: j1', 'name: editable') + '\n  parallelism: 3\n  retryNonce: "2"');
    const ij = JSON.parse(await kubectlOk(['get', 'ij', 'editable', '-n', ns.name, '-o', 'json']));
    expect(ij.spec.parallelism).toBe(3);
  });
});

describe('what kubectl shows', () => {
  beforeAll(async () => {
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], cluster('', 'shown'));
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], validJob({ cluster: 'shown' }).replace('name: j1', 'name: shown-job'));
    // Status goes through the /status subresource, as the controller will write it.
    const api = kubeConfig().makeApiClient(CustomObjectsApi);
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const common = { group: 'sluice.dev', version: 'v1alpha1', namespace: ns.name };
    await api.patchNamespacedCustomObjectStatus(
      {
        ...common,
        plural: 'ingestionclusters',
        name: 'shown',
        body: {
          status: {
            workers: { ready: 3, desired: 4, busy: 2, summary: '3/4' },
            queue: { waiting: 17, active: 5 },
            conditions: [
              { type: 'Ready', status: 'True', reason: 'Ready', message: 'Redis, the API and the workers are ready.', lastTransitionTime: '2026-01-01T00:00:00Z' },
              { type: 'Scaling', status: 'True', reason: 'ScalingUp', message: 'Workers: 3/4 ready, 4 pods updated.', lastTransitionTime: '2026-01-01T00:00:00Z' },
            ],
          },
        },
      },
      merge,
    );
    await api.patchNamespacedCustomObjectStatus(
      { ...common, plural: 'ingestionjobs', name: 'shown-job', body: { status: { phase: 'Running', progress: '812/1000', counts: { succeeded: 800, failed: 12 }, chunks: 4321, pagesOcr: 37 } } },
      merge,
    );
  });

  it('kubectl get ic prints the cluster columns', async () => {
    const out = await kubectlOk(['get', 'ic', 'shown', '-n', ns.name]);
    const [header, row] = out.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'READY', 'WORKERS', 'BUSY', 'QUEUE', 'AGE']);
    expect(row!.split(/\s+/).slice(0, 5)).toEqual(['shown', 'True', '3/4', '2', '17']);
  });

  it('kubectl get ic -o wide adds the activity, owner, scale and reason', async () => {
    const [header, row] = (await kubectlOk(['get', 'ic', 'shown', '-n', ns.name, '-o', 'wide'])).trim().split('\n');
    expect(header!.split(/\s+/).slice(6)).toEqual(['ACTIVE', 'AUTOSCALING', 'SCALING', 'REASON']);
    expect(row!.split(/\s+/).slice(6)).toEqual(['5', 'Builtin', 'ScalingUp', 'Ready']);
  });

  it('kubectl get ij prints the job columns, more with -o wide', async () => {
    const out = await kubectlOk(['get', 'ij', 'shown-job', '-n', ns.name]);
    const [header, row] = out.trim().split('\n');
    expect(header!.split(/\s+/)).toEqual(['NAME', 'STATUS', 'PROGRESS', 'SUCCEEDED', 'FAILED', 'CLUSTER', 'AGE']);
    expect(row!.split(/\s+/).slice(0, 6)).toEqual(['shown-job', 'Running', '812/1000', '800', '12', 'shown']);
    const wide = await kubectlOk(['get', 'ij', 'shown-job', '-n', ns.name, '-o', 'wide']);
    const [wideHeader, wideRow] = wide.trim().split('\n');
    expect(wideHeader).toMatch(/COLLECTION\s+CHUNKS\s+OCR PAGES\s+COMPLETED/);
    expect(wideRow).toMatch(/\s4321\s+37(\s|$)/);
  });

  it('kubectl get sluice lists both kinds', async () => {
    const out = await kubectlOk(['get', 'sluice', '-n', ns.name]);
    expect(out).toContain('ingestioncluster.sluice.dev/shown');
    expect(out).toContain('ingestionjob.sluice.dev/shown-job');
  });

  it('kubectl explain prints field descriptions', async () => {
    const out = await kubectlOk(['explain', 'ingestionjob.spec.failurePolicy']);
    expect(out).toContain('When document failures fail the job.');
    expect(out).toMatch(/maxFailedDocuments\s+<integer>/);
    expect(out).toContain('like maxFailedIndexes');
    const ic = await kubectlOk(['explain', 'ic.spec.autoscaling.mode']);
    expect(ic).toContain('Who owns the worker replica count.');
  });
});
