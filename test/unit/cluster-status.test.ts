import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { clusterConditions, computeClusterStatus, type Observed } from '../../src/controller/status/cluster-status.ts';
import { mergeConditions } from '../../src/controller/status/conditions.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const cluster = (spec: Record<string, unknown> = {}) => defaultedCluster('docs', 'ns', { stores, ...spec } as never);
const deploy = (replicas: number, ready: number): V1Deployment => ({
  metadata: { generation: 1 },
  spec: { replicas, selector: {}, template: {} },
  status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: ready },
});
const sts = (ready: number): V1StatefulSet => ({ metadata: { generation: 1 }, spec: { replicas: 1, selector: {}, template: {}, serviceName: 'x' }, status: { replicas: 1, readyReplicas: ready } });
const all = (o: Partial<Observed> = {}): Observed => ({ redis: sts(1), api: deploy(2, 2), worker: deploy(1, 1), missingSecrets: [], ...o });

const byType = (cs: { type: string; status: string; reason: string }[]) => Object.fromEntries(cs.map((c) => [c.type, `${c.status}/${c.reason}`]));

describe('clusterConditions', () => {
  it.each([
    ['everything ready', {}, all(), { Ready: 'True/Ready', RedisReady: 'True/Ready', APIReady: 'True/Ready', WorkersReady: 'True/Ready', Degraded: 'False/AsExpected', Suspended: 'False/Running' }],
    ['children not created yet', {}, { missingSecrets: [] }, { Ready: 'False/RedisNotReady', RedisReady: 'False/Creating', APIReady: 'False/Creating' }],
    ['API rolling out', {}, all({ api: deploy(2, 1) }), { Ready: 'False/APINotReady', APIReady: 'False/NotReady' }],
    ['workers scaled to zero count as ready', {}, all({ worker: deploy(0, 0) }), { Ready: 'True/Ready', WorkersReady: 'True/ScaledToZero' }],
    ['a missing Secret degrades it', {}, all({ missingSecrets: [{ name: 'pg', field: 'spec.stores.postgres.secretRef' }] }), { Ready: 'False/SecretMissing', Degraded: 'True/SecretMissing' }],
    ['an apply failure degrades it', {}, all({ applyError: 'boom' }), { Ready: 'False/ApplyFailed', Degraded: 'True/ApplyFailed' }],
    ['suspended', { suspend: true }, all({ api: deploy(0, 0), worker: deploy(0, 0) }), { Ready: 'False/Suspended', Suspended: 'True/Suspended', APIReady: 'False/Suspended' }],
    ['external Redis needs no StatefulSet', { redis: { mode: 'External', externalSecretRef: { name: 'r' } } }, all({ redis: undefined }), { Ready: 'True/Ready', RedisReady: 'True/External' }],
  ])('%s', (_name, spec, observed, want) => {
    expect(byType(clusterConditions(cluster(spec), observed as Observed))).toMatchObject(want);
  });
});

describe('mergeConditions', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T01:00:00Z');

  it('keeps lastTransitionTime while the status holds, moves it when it changes', () => {
    const first = mergeConditions(undefined, [{ type: 'Ready', status: 'False', reason: 'A', message: 'm' }], 1, t0);
    const same = mergeConditions(first, [{ type: 'Ready', status: 'False', reason: 'B', message: 'other' }], 2, t1);
    expect(same[0]).toMatchObject({ lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'B', observedGeneration: 2 });
    const flipped = mergeConditions(same, [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'ok' }], 2, t1);
    expect(flipped[0]!.lastTransitionTime).toBe('2026-01-01T01:00:00Z');
  });
});

describe('computeClusterStatus', () => {
  it('is unchanged when recomputed later from the same world (no churn)', () => {
    const c = cluster();
    const first = computeClusterStatus(c, all(), new Date('2026-01-01T00:00:00Z'));
    const again = computeClusterStatus({ ...c, status: first }, all(), new Date('2026-06-01T00:00:00Z'));
    expect(again).toEqual(first);
  });

  it('reports worker counts and endpoints', () => {
    const s = computeClusterStatus(cluster(), all({ worker: deploy(3, 2) }), new Date());
    expect(s.workers).toMatchObject({ desired: 3, ready: 2 });
    expect(s.endpoints).toEqual({ api: 'http://docs-api.ns.svc:8080', redis: 'docs-redis.ns.svc:6379' });
  });
});
