// The controller abstraction with fake informers: which keys events enqueue (its kind, owned
// children by controller ownerReference, watched kinds through a mapper) and what its error
// policy makes of a failure, in metrics.
import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Controller } from '../../src/controller/runtime/controller.ts';
import { ApplyError, StatusConflictError } from '../../src/controller/runtime/errors.ts';
import type { SharedInformers } from '../../src/controller/runtime/shared-informers.ts';
import { CLUSTER_CHILD_KINDS, INGESTION_CLUSTER, INGESTION_JOB } from '../../src/controller/kinds.ts';
import { createMetrics } from '../../src/controller/runtime/metrics.ts';
import type { ObjectRef } from '../../src/controller/runtime/object-key.ts';
import { quietLog } from '../support/controller.ts';
import type { KindRef } from '../../src/controller/runtime/kind-ref.ts';

type Handler = (obj: KubernetesObject) => void;

/** Informers that hold given objects and let a test fire their add events. */
function fakeInformers(objects: Record<string, KubernetesObject[]> = {}) {
  const handlers = new Map<string, Handler[]>();
  const informers = {
    for: (kind: KindRef) => ({
      on: (verb: string, cb: Handler) => verb === 'add' && handlers.set(kind.kind, [...(handlers.get(kind.kind) ?? []), cb]),
      list: () => objects[kind.kind] ?? [],
      get: () => undefined,
    }),
  } as unknown as SharedInformers;
  const fire = (kind: string, obj: KubernetesObject) => handlers.get(kind)?.forEach((h) => h(obj));
  return { informers, fire };
}

const obj = (kind: string, name: string, extra: Partial<NonNullable<KubernetesObject['metadata']>> = {}): KubernetesObject => ({ kind, metadata: { namespace: 'ns', name, ...extra } });
const settle = () => new Promise((r) => setTimeout(r, 20));

function controller(reconcile: (ref: ObjectRef) => Promise<{ requeueAfterMs?: number }>, objects?: Record<string, KubernetesObject[]>) {
  const { informers, fire } = fakeInformers(objects);
  const metrics = createMetrics();
  const seen: string[] = [];
  const c = new Controller({ informers, metrics, log: quietLog() }, {
    name: 'ingestioncluster',
    for: INGESTION_CLUSTER,
    owns: [{ kind: CLUSTER_CHILD_KINDS[0]!, ownerLabel: 'app.kubernetes.io/instance' }],
    watches: [{ kind: INGESTION_JOB, map: (o) => [{ namespace: 'ns', name: `for-${o.metadata!.name}` }] }],
    reconcile: async (ref) => {
      seen.push(`${ref.namespace}/${ref.name}`);
      return reconcile(ref);
    },
  });
  return { c, fire, metrics, seen };
}

describe('Controller', () => {
  it('enqueues its own objects, owners of owned children and mapped watched objects', async () => {
    const { c, fire, seen } = controller(async () => ({}));
    c.start();
    fire('IngestionCluster', obj('IngestionCluster', 'a'));
    fire('ConfigMap', obj('ConfigMap', 'a-config', { ownerReferences: [{ apiVersion: 'sluice.dev/v1alpha1', kind: 'IngestionCluster', name: 'b', uid: 'u', controller: true }] }));
    fire('ConfigMap', obj('ConfigMap', 'not-ours', { ownerReferences: [{ apiVersion: 'v1', kind: 'IngestionCluster', name: 'x', uid: 'u', controller: false }] }));
    fire('ConfigMap', obj('ConfigMap', 'orphaned', { labels: { 'app.kubernetes.io/instance': 'c' } }));
    fire('IngestionJob', obj('IngestionJob', 'j'));
    await settle();
    expect(seen.sort()).toEqual(['ns/a', 'ns/b', 'ns/c', 'ns/for-j']);
    c.shutdown();
  });

  it('enqueues every object of its kind on enqueueAll (resync, leadership)', async () => {
    const { c, seen } = controller(async () => ({}), { IngestionCluster: [obj('IngestionCluster', 'x'), obj('IngestionCluster', 'y')] });
    c.enqueueAll();
    c.start();
    await settle();
    expect(seen.sort()).toEqual(['ns/x', 'ns/y']);
    c.shutdown();
  });

  it('counts a conflict as a quick requeue, and anything else as an error by its name', async () => {
    let n = 0;
    const { c, fire, metrics } = controller(async () => {
      n++;
      if (n === 1) throw new StatusConflictError('raced');
      if (n === 2) throw new ApplyError('Deployment', 'd', 500, 'boom');
      return {};
    });
    c.start();
    fire('IngestionCluster', obj('IngestionCluster', 'a'));
    await new Promise((r) => setTimeout(r, 400)); // 250 ms requeue, then a 5 ms backoff
    const results = Object.fromEntries((await metrics.reconciles.get()).values.map((v) => [v.labels.result, v.value]));
    expect(results).toEqual({ conflict: 1, error: 1, success: 1 });
    const errors = Object.fromEntries((await metrics.errors.get()).values.map((v) => [v.labels.error, v.labels.controller]));
    expect(errors).toEqual({ StatusConflictError: 'ingestioncluster', ApplyError: 'ingestioncluster' });
    c.shutdown();
  });
});
