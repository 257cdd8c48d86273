import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { clusterConditions, computeClusterStatus, type Observed } from '../../src/controller/status/cluster-status.ts';
import { mergeConditions } from '../../src/controller/status/conditions.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const cluster = (spec: Record<string, unknown> = {}) => defaultedCluster('docs', 'ns', { stores, ...spec } as never);
const deploy = (replicas: number, ready: number, { pods = replicas, updated = pods }: { pods?: number; updated?: number } = {}): V1Deployment => ({
  metadata: { generation: 1 },
  spec: { replicas, selector: {}, template: {} },
  status: { observedGeneration: 1, replicas: pods, updatedReplicas: updated, readyReplicas: ready },
});
const queue = (waiting: number) => ({ waiting, active: 0, delayed: 0, failed: 0, pages: 0, workers: [] }) as unknown as Observed['queue'];
const builtin = (minReplicas: number) => ({ autoscaling: { mode: 'Builtin', minReplicas, maxReplicas: 10 } });
const sts = (ready: number): V1StatefulSet => ({ metadata: { generation: 1 }, spec: { replicas: 1, selector: {}, template: {}, serviceName: 'x' }, status: { replicas: 1, readyReplicas: ready } });
const all = (o: Partial<Observed> = {}): Observed => ({ redis: sts(1), api: deploy(2, 2), worker: deploy(1, 1), missingSecrets: [], ...o });

const byType = (cs: { type: string; status: string; reason: string }[]) => Object.fromEntries(cs.map((c) => [c.type, `${c.status}/${c.reason}`]));

describe('clusterConditions', () => {
  it.each([
    ['everything ready', {}, all(), { Ready: 'True/Ready', RedisReady: 'True/Ready', APIReady: 'True/Ready', WorkersReady: 'True/Ready', Degraded: 'False/AsExpected', Suspended: 'False/Running' }],
    ['children not created yet', {}, { missingSecrets: [] }, { Ready: 'False/RedisNotReady', RedisReady: 'False/Creating', APIReady: 'False/Creating' }],
    ['API with no ready pod', {}, all({ api: deploy(2, 0) }), { Ready: 'False/APINotReady', APIReady: 'False/NotReady' }],
    ['API scaled to zero cannot serve', { api: { replicas: 0 } }, all({ api: deploy(0, 0) }), { Ready: 'False/APINotReady', APIReady: 'False/ScaledToZero' }],
    ['API rolling out still serves', {}, all({ api: deploy(2, 1, { pods: 3, updated: 1 }) }), { Ready: 'True/Ready', APIReady: 'True/Ready', Scaling: 'True/RollingOut' }],
    ['workers scaled to zero count as ready', {}, all({ worker: deploy(0, 0) }), { Ready: 'True/Ready', WorkersReady: 'True/ScaledToZero', Scaling: 'False/Stable' }],
    ['scaling up from 5 to 10 stays ready', {}, all({ worker: deploy(10, 5, { pods: 10 }), queue: queue(400) }), { Ready: 'True/Ready', WorkersReady: 'True/Ready', Scaling: 'True/ScalingUp' }],
    ['scaling down stays ready', {}, all({ worker: deploy(2, 4, { pods: 4, updated: 4 }) }), { Ready: 'True/Ready', Scaling: 'True/ScalingDown' }],
    ['work waiting and no worker ready', {}, all({ worker: deploy(1, 0), queue: queue(3) }), { Ready: 'False/WorkersNotReady', WorkersReady: 'False/NotReady', Scaling: 'True/ScalingUp' }],
    ['scale from zero for waiting work', builtin(0), all({ worker: deploy(1, 0), queue: queue(3) }), { Ready: 'False/WorkersNotReady' }],
    ['nothing waiting, minReplicas 0, none ready yet', builtin(0), all({ worker: deploy(1, 0) }), { Ready: 'True/Ready', WorkersReady: 'True/Ready', Scaling: 'True/ScalingUp' }],
    ['fewer ready than minReplicas', builtin(3), all({ worker: deploy(3, 2) }), { Ready: 'False/WorkersNotReady', WorkersReady: 'False/NotReady' }],
    ['minReplicas ready while scaling beyond', builtin(3), all({ worker: deploy(8, 3, { pods: 8 }) }), { Ready: 'True/Ready', Scaling: 'True/ScalingUp' }],
    ['mode None needs one of its replicas', { autoscaling: { mode: 'None' }, workers: { replicas: 4 } }, all({ worker: deploy(4, 1) }), { Ready: 'True/Ready', Scaling: 'True/ScalingUp' }],
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

  it('keeps the last queue measurement for readiness while the API cannot be asked', () => {
    const c = cluster();
    c.status = computeClusterStatus(c, all({ worker: deploy(1, 1), queue: queue(5) }), new Date());
    expect(byType(clusterConditions(c, all({ worker: deploy(1, 0) })))).toMatchObject({ WorkersReady: 'False/NotReady' });
  });

  it('says why workers are not enough', () => {
    const workers = (o: Observed) => clusterConditions(cluster(builtin(0)), o).find((x) => x.type === 'WorkersReady')!.message;
    expect(workers(all({ worker: deploy(2, 0), queue: queue(7) }))).toBe('0/2 ready; 7 documents waiting.');
    expect(clusterConditions(cluster(builtin(3)), all({ worker: deploy(3, 1) })).find((x) => x.type === 'WorkersReady')!.message).toBe('1/3 ready; at least 3 required.');
  });

  it('reports worker counts and endpoints', () => {
    const s = computeClusterStatus(cluster(), all({ worker: deploy(3, 2), queue: queue(0) }), new Date());
    expect(s.workers).toMatchObject({ desired: 3, ready: 2, busy: 0, summary: '2/3' });
    expect(s.endpoints).toEqual({ api: 'http://docs-api.ns.svc:8080', redis: 'docs-redis.ns.svc:6379' });
  });
});
