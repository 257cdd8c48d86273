// The cluster reconciler's Builtin autoscaling turn against scripted fakes: it measures only when
// a measurement is due, applies the decision to the worker Deployment, marks pods' deletion
// costs before it lowers replicas (and lowers nothing if it cannot), shows the decision in
// status and records an Event per scale.
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Applier } from '../../src/controller/runtime/apply.ts';
import { AutoscalerMemory } from '../../src/controller/autoscaling/autoscaler-memory.ts';
import type { QueueView } from '../../src/controller/cluster-api/cluster-api.ts';
import { reconcileCluster, type ClusterReconcilerDeps } from '../../src/controller/cluster/cluster-reconciler.ts';
import type { EventRecorder } from '../../src/controller/runtime/event-recorder.ts';
import type { SecretProbe } from '../../src/controller/runtime/secret-probe.ts';
import type { IngestionClusterStatus } from '../../src/crd/ingestion-cluster.ts';
import { defaultedCluster } from '../../src/crd/defaults.ts';

const T0 = Date.parse('2026-11-29T20:00:00Z');
const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };

function queueOf(waiting: number, active: number, workers: [string, number][]): QueueView {
  return { waiting, active, delayed: 0, failed: 0, workers: workers.map(([id, n]) => ({ id, busy: n > 0, active: n })) };
}

function world(opts: { workerReplicas: number; apiReady?: number; pods?: string[]; failMarking?: boolean; failDrain?: boolean }) {
  let now = T0;
  const cluster = defaultedCluster('docs', 'team-a', { stores, autoscaling: { maxReplicas: 20 } });
  cluster.metadata.uid = 'uid-1';
  cluster.metadata.generation = 1;
  const live = new Map<string, KubernetesObject>();
  const deployment = (name: string, replicas: number, ready: number): V1Deployment => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'team-a' },
    spec: { replicas, selector: {}, template: {} },
    status: { replicas, readyReplicas: ready },
  });
  live.set('Deployment/docs-worker', deployment('docs-worker', opts.workerReplicas, opts.workerReplicas));
  live.set('Deployment/docs-api', deployment('docs-api', 2, opts.apiReady ?? 2));
  const log: string[] = [];
  const statuses: IngestionClusterStatus[] = [];
  const costs = new Map<string, string>();
  let draining: string[] = [];
  let queue: QueueView | undefined;
  let measurements = 0;
  const applier = {
    apply: async (obj: KubernetesObject) => {
      if (obj.kind === 'Deployment' && obj.metadata?.name === 'docs-worker') {
        log.push(`apply worker replicas=${(obj as V1Deployment).spec?.replicas}`);
        const d = obj as V1Deployment;
        live.set('Deployment/docs-worker', deployment('docs-worker', d.spec!.replicas!, d.spec!.replicas!));
      }
      return live.get(`${obj.kind}/${obj.metadata?.name}`) ?? obj;
    },
    delete: async () => true,
  } as unknown as Applier;
  const deps: ClusterReconcilerDeps = {
    getCluster: () => cluster,
    getChild: (kind, _ns, name) => live.get(`${kind}/${name}`),
    applier,
    secrets: { exists: async () => true, forget: () => {} } as unknown as SecretProbe,
    writeStatus: async (c, s) => {
      statuses.push(s);
      c.status = s;
    },
    events: { record: async (_o: unknown, type: string, reason: string, message: string) => void log.push(`event ${type} ${reason}: ${message}`) } as unknown as EventRecorder,
    image: 'i',
    now: () => new Date(now),
    randomPassword: () => 'p',
    randomKey: () => 'k',
    randomCredentialsKey: () => 'c',
    queue: async () => {
      measurements++;
      return queue;
    },
    autoscaler: new AutoscalerMemory(),
    pods: {
      list: async () => (opts.pods ?? []).map((name) => ({ name, created: T0 - 10_000, ...(costs.has(name) ? { cost: costs.get(name)! } : {}) })),
      setDeletionCosts: async (_c, set) => {
        if (opts.failMarking) throw new Error('pods is forbidden');
        for (const [name, cost] of Object.entries(set)) costs.set(name, cost);
        log.push(`mark ${Object.entries(set).map(([n, c]) => `${n}=${c}`).join(',')}`);
        return Object.keys(set).length;
      },
    },
    drain: async (_c, workers) => {
      if (opts.failDrain) throw new Error('503 from the API');
      draining = [...workers];
      log.push(`drain ${workers.join(',')}`);
    },
  };
  return {
    cluster,
    deps,
    log,
    statuses,
    costs,
    reconcile: () => reconcileCluster(deps, { namespace: 'team-a', name: 'docs' }),
    setQueue: (q: QueueView | undefined) => (queue = q),
    advance: (s: number) => (now += s * 1000),
    draining: () => draining,
    measurements: () => measurements,
  };
}

describe('the Builtin autoscaler in the cluster reconciler', () => {
  it('scales up from a measurement, shows the decision, records an Event and requeues at the polling interval', async () => {
    const w = world({ workerReplicas: 1 });
    w.setQueue(queueOf(100, 2, [['docs-worker-a', 2]]));
    const r = await w.reconcile();
    expect(w.log).toContain('apply worker replicas=5'); // 1 → 5: the scale-up policy's 4 pods per period
    expect(w.log.some((l) => l.startsWith('event Normal ScaledUp: Workers 1 → 5 (Scaled up from 1 to 5'))).toBe(true);
    const s = w.statuses.at(-1)!;
    expect(s.workers).toMatchObject({ desired: 5, busy: 1, idle: 0, summary: '5/5' });
    expect(s.queue).toMatchObject({ waiting: 100, active: 2 });
    expect(s.autoscaling).toMatchObject({ mode: 'Builtin', reason: 'ScaleUp', lastScaleReason: 'ScaleUp', lastScaleTime: new Date(T0).toISOString(), consecutiveFailures: 0 });
    expect(r.requeueAfterMs).toBe(2_000);
  });

  it('forgets a cluster once it is gone', async () => {
    const w = world({ workerReplicas: 1 });
    w.setQueue(queueOf(10, 0, []));
    await w.reconcile();
    expect(w.deps.autoscaler.get('team-a/docs', 'uid-1')).toBeDefined();
    w.deps.getCluster = () => undefined;
    await w.reconcile();
    expect(w.deps.autoscaler.get('team-a/docs', 'uid-1')).toBeUndefined();
  });

  it('does not measure again before the interval has passed, whatever brings the reconcile', async () => {
    const w = world({ workerReplicas: 1 });
    w.setQueue(queueOf(100, 2, [['docs-worker-a', 2]]));
    await w.reconcile();
    w.advance(0.5);
    const r = await w.reconcile();
    expect(w.measurements()).toBe(1);
    expect(r.requeueAfterMs).toBe(1_500);
    w.advance(1.5);
    await w.reconcile();
    expect(w.measurements()).toBe(2);
  });

  it('keeps the spec count until the API serves, then decides', async () => {
    const w = world({ workerReplicas: 1, apiReady: 0 });
    w.setQueue(queueOf(100, 0, []));
    const r = await w.reconcile();
    expect(w.measurements()).toBe(0);
    expect(w.log).toContain('apply worker replicas=1');
    expect(w.statuses.at(-1)!.autoscaling).toBeUndefined();
    expect(r.requeueAfterMs).toBeUndefined();
  });

  it('asks idle workers to drain first, then marks the drained ones cheapest and lowers replicas by them alone', async () => {
    const pods = ['docs-worker-busy', 'docs-worker-idle1', 'docs-worker-idle2', 'docs-worker-new'];
    const w = world({ workerReplicas: 4, pods });
    w.cluster.spec.autoscaling.scaleDown.stabilizationWindowSeconds = 0;
    // One busy worker, two idle, one without a heartbeat yet; nothing queued.
    const hb = (): [string, number][] => [
      ['docs-worker-busy', 1],
      ['docs-worker-idle1', 0],
      ['docs-worker-idle2', 0],
    ];
    w.setQueue(queueOf(0, 1, hb()));
    await w.reconcile();
    // Turn 1: nothing may go yet; the idle ones are asked to drain, the busy one never.
    expect(w.draining()).toEqual(['docs-worker-idle1', 'docs-worker-idle2']);
    expect(w.log.filter((l) => l.startsWith('apply worker'))).toEqual(['apply worker replicas=4']);
    expect(w.log.some((l) => l.startsWith('event Normal Draining: Asked 2 idle worker(s)'))).toBe(true);
    expect(w.costs.size).toBe(0);

    // Turn 2: both report draining and idle.
    const q = queueOf(0, 1, hb());
    q.workers = q.workers.map((x) => (x.id === 'docs-worker-busy' ? x : { ...x, draining: true }));
    w.setQueue(q);
    w.advance(2);
    await w.reconcile();
    const mark = w.log.findIndex((l) => l.startsWith('mark '));
    const apply = w.log.indexOf('apply worker replicas=2');
    expect(mark).toBeGreaterThanOrEqual(0);
    expect(apply).toBeGreaterThan(mark); // costs first, then fewer replicas
    expect(Object.fromEntries(w.costs)).toEqual({ 'docs-worker-busy': '1001', 'docs-worker-idle1': '-2000', 'docs-worker-idle2': '-2000', 'docs-worker-new': '-1000' });
    expect(w.log.some((l) => l.startsWith('event Normal ScaledDown: Workers 4 → 2'))).toBe(true);
    expect(w.draining()).toEqual(['docs-worker-idle1', 'docs-worker-idle2']); // until they are gone
  });

  it('lowers nothing when the pods cannot be marked or the workers asked, and says why', async () => {
    const names = ['docs-worker-a', 'docs-worker-b', 'docs-worker-c'];
    const marking = world({ workerReplicas: 3, pods: names, failMarking: true });
    marking.cluster.spec.autoscaling.scaleDown.stabilizationWindowSeconds = 0;
    const drained = queueOf(0, 0, names.map((n) => [n, 0]));
    drained.workers = drained.workers.map((x) => ({ ...x, draining: true }));
    marking.setQueue(drained);
    await expect(marking.reconcile()).rejects.toMatchObject({ name: 'DeletionCostError' });
    expect(marking.log.filter((l) => l.startsWith('apply worker'))).toEqual([]);
    // Nothing remembered: the next turn measures and tries again.
    marking.advance(0.1);
    await expect(marking.reconcile()).rejects.toMatchObject({ name: 'DeletionCostError' });
    expect(marking.measurements()).toBe(2);

    const asking = world({ workerReplicas: 3, pods: names, failDrain: true });
    asking.cluster.spec.autoscaling.scaleDown.stabilizationWindowSeconds = 0;
    asking.setQueue(queueOf(0, 0, names.map((n) => [n, 0])));
    await expect(asking.reconcile()).rejects.toMatchObject({ name: 'DeletionCostError', message: expect.stringContaining('503 from the API') });
    expect(asking.log.filter((l) => l.startsWith('apply worker'))).toEqual([]);
  });

  it('withdraws the drain requests when the decision goes back up', async () => {
    const names = ['docs-worker-a', 'docs-worker-b'];
    const w = world({ workerReplicas: 2, pods: names });
    w.cluster.spec.autoscaling.scaleDown.stabilizationWindowSeconds = 0;
    w.setQueue(queueOf(0, 0, names.map((n) => [n, 0])));
    await w.reconcile();
    expect(w.draining()).toEqual(['docs-worker-a']); // down to the floor of one
    w.advance(2);
    w.setQueue(queueOf(40, 0, names.map((n) => [n, 0])));
    await w.reconcile();
    expect(w.draining()).toEqual([]);
    expect(w.log.at(-1)).not.toBe('drain ');
    expect(w.log).toContain('drain ');
  });

  it('holds through failed measurements, then runs fallback.replicas with a Warning', async () => {
    const w = world({ workerReplicas: 0 });
    w.setQueue(undefined);
    for (let i = 0; i < 2; i++) {
      await w.reconcile();
      w.advance(2);
    }
    expect(w.statuses.at(-1)!.autoscaling).toMatchObject({ reason: 'MetricUnavailable', consecutiveFailures: 2 });
    expect(w.log.filter((l) => l.startsWith('apply worker'))).toEqual(['apply worker replicas=0', 'apply worker replicas=0']);
    await w.reconcile();
    expect(w.log).toContain('apply worker replicas=1');
    expect(w.log.some((l) => l.startsWith('event Warning Fallback:'))).toBe(true);
  });

  it('never lowers the workers on fallback: without heartbeats no worker is known to be idle', async () => {
    const w = world({ workerReplicas: 4, pods: ['docs-worker-a', 'docs-worker-b', 'docs-worker-c', 'docs-worker-d'] });
    w.setQueue(undefined);
    // 80 s: long past the minute after which a pod without a heartbeat counts as silent.
    for (let i = 0; i < 40; i++) {
      await w.reconcile();
      w.advance(2);
    }
    expect(w.statuses.at(-1)!.autoscaling).toMatchObject({ reason: 'Fallback' });
    expect(new Set(w.log.filter((l) => l.startsWith('apply worker')))).toEqual(new Set(['apply worker replicas=4']));
    // A long outage is not a status write every measurement: one per failure up to the fallback,
    // then one per refresh (80 s: about five).
    expect(w.statuses.length).toBeLessThanOrEqual(3 + 6);
  });

  it('shows a changed measurement at most every 15 s while the decision holds', async () => {
    const w = world({ workerReplicas: 1 });
    w.setQueue(queueOf(3, 1, [['docs-worker-a', 1]]));
    await w.reconcile();
    const writes = w.statuses.length;
    for (let i = 1; i <= 6; i++) {
      w.advance(2);
      w.setQueue(queueOf(3 + (i % 2), 1, [['docs-worker-a', 1]]));
      await w.reconcile();
    }
    expect(w.statuses.length).toBe(writes); // 12 s: queue 3/4/3/4… not shown yet
    w.advance(4);
    w.setQueue(queueOf(4, 1, [['docs-worker-a', 1]]));
    await w.reconcile();
    expect(w.statuses.length).toBe(writes + 1);
    expect(w.statuses.at(-1)!.queue).toMatchObject({ waiting: 4 });
  });
});
