// The Argo CD health checks, as argocd-cm holds them, run by gopher-lua (the interpreter Argo CD
// links, built into the cache on first use) with the libraries Argo CD gives argocd-cm scripts.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureGlua } from '@sluice/devenv/glua';
import { health as argoHealth, runArgoLua } from '../support/argocd.ts';

let glua = '';
beforeAll(async () => {
  glua = await ensureGlua();
}, 10 * 60_000);

const health = (kind: string, o: unknown) => argoHealth(glua, kind, o);

const cond = (type: string, status: string, message = `${type} is ${status}`) => ({ type, status, reason: 'R', message, lastTransitionTime: '2026-01-01T00:00:00Z' });
const obj = (generation: number, status?: Record<string, unknown>) => ({ metadata: { name: 'x', generation }, ...(status ? { status } : {}) });

describe('Argo CD health of IngestionCluster', () => {
  it.each([
    ['no status yet', obj(1), 'Progressing'],
    ['status of an older generation', obj(2, { observedGeneration: 1, conditions: [cond('Ready', 'True')] }), 'Progressing'],
    ['ready', obj(1, { observedGeneration: 1, conditions: [cond('Ready', 'True'), cond('Degraded', 'False')] }), 'Healthy'],
    ['not ready yet', obj(1, { observedGeneration: 1, conditions: [cond('Ready', 'False', '1/2 ready'), cond('Degraded', 'False')] }), 'Progressing'],
    ['degraded', obj(1, { observedGeneration: 1, conditions: [cond('Ready', 'False'), cond('Degraded', 'True', 'Secret "pg" not found')] }), 'Degraded'],
    ['suspended', obj(1, { observedGeneration: 1, conditions: [cond('Ready', 'False'), cond('Suspended', 'True')] }), 'Suspended'],
  ])('%s', async (_name, o, want) => {
    expect((await health('IngestionCluster', o)).status).toBe(want);
  });

  it('is Healthy while it scales, and says so', async () => {
    const scaling = { ...cond('Scaling', 'True', 'Workers: 5/10 ready, 10 pods updated.'), reason: 'ScalingUp' };
    const o = obj(1, { observedGeneration: 1, conditions: [cond('Ready', 'True', 'Redis, the API and the workers are ready.'), scaling, cond('Degraded', 'False')] });
    expect(await health('IngestionCluster', o)).toEqual({ status: 'Healthy', message: 'Redis, the API and the workers are ready. ScalingUp: Workers: 5/10 ready, 10 pods updated.' });
  });

  it('passes the condition message through', async () => {
    const o = obj(1, { observedGeneration: 1, conditions: [cond('Degraded', 'True', 'Secret "pg" referenced by spec.stores.postgres.secretRef not found')] });
    expect((await health('IngestionCluster', o)).message).toBe('Secret "pg" referenced by spec.stores.postgres.secretRef not found');
  });
});

/** examples/ingestion-job.yaml as the apiserver returns it, with the status the controller writes. */
function job(status?: { phase?: string; progress?: string; failed?: number; conditions?: [string, string, string?][] }, generation = 2, observedGeneration = generation) {
  const example = parse(readFileSync(new URL('../../examples/ingestion-job.yaml', import.meta.url), 'utf8')) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  return {
    ...example,
    metadata: { ...example.metadata, namespace: 'docs', uid: '6f1c2d9e-0000-4000-8000-000000000001', generation, resourceVersion: '4242', creationTimestamp: '2026-11-29T10:00:00Z' },
    spec: { ...example.spec, suspend: false, priority: 50 },
    ...(status
      ? {
          status: {
            observedGeneration,
            ...(status.phase ? { phase: status.phase } : {}),
            ...(status.progress ? { progress: status.progress } : {}),
            counts: { total: 3, queued: 0, active: 1, succeeded: 1, failed: status.failed ?? 0, skipped: 0 },
            conditions: (status.conditions ?? []).map(([type, s, message]) => ({
              type,
              status: s,
              reason: s === 'True' ? type : `Not${type}`,
              message: message ?? '',
              lastTransitionTime: '2026-11-29T10:00:05Z',
              observedGeneration,
            })),
          },
        }
      : {}),
  };
}

const notYet: [string, string][] = [['Complete', 'False'], ['Failed', 'False'], ['Suspended', 'False'], ['FailureTarget', 'False'], ['SuccessCriteriaMet', 'False'], ['ClusterReady', 'True'], ['Accepted', 'True']];

describe('Argo CD health of IngestionJob', () => {
  it.each([
    ['no status yet', 'Progressing', 'Waiting for the operator to observe the latest spec', job()],
    [
      'complete, then the spec changed',
      'Progressing',
      'Waiting for the operator to observe the latest spec',
      job({ phase: 'Complete', conditions: [['Complete', 'True', '3 documents']] }, 3, 2),
    ],
    ['pending', 'Progressing', 'Pending (0/3)', job({ phase: 'Pending', progress: '0/3', conditions: notYet })],
    ['running', 'Progressing', 'Running (1/3)', job({ phase: 'Running', progress: '1/3', conditions: notYet })],
    ['running, before the first condition', 'Progressing', 'Running (1/3)', job({ progress: '1/3' })],
    [
      'complete',
      'Healthy',
      '3 documents: 3 succeeded',
      job({ phase: 'Complete', progress: '3/3', conditions: [['SuccessCriteriaMet', 'True'], ['Complete', 'True', '3 documents: 3 succeeded'], ['Failed', 'False'], ['Suspended', 'False'], ['ClusterReady', 'True']] }),
    ],
    [
      'failed',
      'Degraded',
      '2 of 3 documents failed, more than 5 %',
      job({ phase: 'Failed', progress: '3/3', failed: 2, conditions: [['FailureTarget', 'True'], ['Failed', 'True', '2 of 3 documents failed, more than 5 %'], ['Complete', 'False'], ['ClusterReady', 'True']] }),
    ],
    ['failed, with no message', 'Degraded', 'Failed (2/3)', job({ phase: 'Failed', progress: '2/3', conditions: [['Failed', 'True']] })],
    ['failed while suspended', 'Degraded', 'DeadlineExceeded', job({ phase: 'Failed', conditions: [['Suspended', 'True'], ['Failed', 'True', 'DeadlineExceeded']] })],
    [
      'suspended',
      'Suspended',
      'Suspended (1/3)',
      job({ phase: 'Suspended', progress: '1/3', conditions: [['Suspended', 'True', 'spec.suspend is true'], ['Complete', 'False'], ['Failed', 'False']] }),
    ],
    [
      'resumed',
      'Progressing',
      'Running (1/3)',
      job({ phase: 'Running', progress: '1/3', conditions: [['Suspended', 'False', 'resumed'], ['Complete', 'False'], ['Failed', 'False']] }),
    ],
    [
      'failing: a failure target, documents still in flight',
      'Progressing',
      'Failing (2/3): more than 5 % of documents failed',
      job({ phase: 'Running', progress: '2/3', failed: 2, conditions: [['FailureTarget', 'True', 'more than 5 % of documents failed'], ['Failed', 'False'], ['Complete', 'False']] }),
    ],
    [
      'completing: success criteria met, documents still in flight',
      'Progressing',
      'Completing (3/3): every document finished',
      job({ phase: 'Running', progress: '3/3', conditions: [['SuccessCriteriaMet', 'True', 'every document finished'], ['Complete', 'False'], ['Failed', 'False']] }),
    ],
    [
      'waiting for its cluster',
      'Progressing',
      'Waiting for IngestionCluster docs (0/3): IngestionCluster "docs" not found',
      job({ phase: 'Pending', progress: '0/3', conditions: [['ClusterReady', 'False', 'IngestionCluster "docs" not found'], ['Complete', 'False'], ['Failed', 'False']] }),
    ],
    ['not submitted to its cluster yet', 'Progressing', 'Pending', job({ phase: 'Pending', conditions: [['Complete', 'False'], ['Failed', 'False'], ['ClusterReady', 'True'], ['Accepted', 'Unknown']] })],
    [
      'refused by its cluster',
      'Degraded',
      "embedding.dimensions: 768 does not match the cluster's embedder (384)",
      job({ phase: 'Pending', conditions: [['Complete', 'False'], ['Failed', 'False'], ['ClusterReady', 'True'], ['Accepted', 'False', "embedding.dimensions: 768 does not match the cluster's embedder (384)"]] }),
    ],
    [
      'complete, then a spec change refused',
      'Degraded',
      'Secret "s3-creds" referenced by spec.sources.objectStore.credentialsSecretRef not found',
      job({ phase: 'Complete', conditions: [['Complete', 'True'], ['Accepted', 'False', 'Secret "s3-creds" referenced by spec.sources.objectStore.credentialsSecretRef not found']] }),
    ],
    ['failed, and refused', 'Degraded', 'DeadlineExceeded', job({ phase: 'Failed', conditions: [['Failed', 'True', 'DeadlineExceeded'], ['Accepted', 'False', 'refused']] })],
    ['suspended while its cluster is not ready', 'Suspended', 'Suspended', job({ phase: 'Suspended', conditions: [['ClusterReady', 'False'], ['Suspended', 'True']] })],
    ['complete, its cluster gone since', 'Healthy', 'done', job({ phase: 'Complete', conditions: [['ClusterReady', 'False'], ['Complete', 'True', 'done']] })],
  ])('%s → %s', async (_name, want, message, o) => {
    expect(await health('IngestionJob', o)).toEqual({ status: want, message });
  });
});

describe('the sandbox Argo CD gives argocd-cm scripts', () => {
  it('has no string library and no string methods, so the checks must not need them', async () => {
    await expect(runArgoLua(glua, 'x.lua', 'return { status = string.upper("x") }', {})).rejects.toThrow(/non-table object\(nil\) with key 'upper'/);
    await expect(runArgoLua(glua, 'x.lua', 'return { status = obj.s:upper() }', { s: 'x' })).rejects.toThrow(/non-table object\(string\) with key 'upper'/);
    await expect(runArgoLua(glua, 'x.lua', 'return { math = math == nil, io = io == nil, t = os.time() > 0, exit = os.exit == nil }', {})).resolves.toEqual({ math: true, io: true, t: true, exit: true });
  });
});
