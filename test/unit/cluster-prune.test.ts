// The cluster reconciler's pruning against scripted fakes: which children it deletes, per case.
// Only an object this cluster controls is ever deleted, and only once.
import { AutoscalerMemory } from '../../src/controller/autoscaling/autoscaler-memory.ts';
import { describe, expect, it } from 'vitest';
import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import type { Applier } from '../../src/controller/runtime/apply.ts';
import { buildChildren } from '../../src/controller/builders/children.ts';
import { reconcileCluster, type ClusterReconcilerDeps } from '../../src/controller/cluster/cluster-reconciler.ts';
import type { EventRecorder } from '../../src/controller/runtime/event-recorder.ts';
import type { SecretProbe } from '../../src/controller/runtime/secret-probe.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const cluster = defaultedCluster('docs', 'team-a', { stores, redis: { mode: 'External', externalSecretRef: { name: 'ext', key: 'url' } } });
const mine: V1OwnerReference = { apiVersion: 'sluice.dev/v1alpha1', kind: 'IngestionCluster', name: 'docs', uid: 'uid-1', controller: true };

/** The live world: every child External mode wants, plus a Redis StatefulSet shaped by `meta`. */
async function reconcileWith(meta: KubernetesObject['metadata'] | undefined) {
  const live = new Map<string, KubernetesObject>();
  for (const c of buildChildren(cluster, { image: 'i' })) live.set(`${c.kind}/${c.metadata!.name}`, c);
  if (meta) live.set('StatefulSet/docs-redis', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'docs-redis', namespace: 'team-a', uid: 'sts-1', ...meta } });
  const deleted: string[] = [];
  const events: string[] = [];
  const applier = {
    apply: async (obj: KubernetesObject) => obj,
    delete: async (target: { kind: string; metadata: { name: string } }, l: KubernetesObject) => (deleted.push(`${target.kind}/${target.metadata.name}@${l.metadata?.uid}`), true),
  } as unknown as Applier;
  const deps: ClusterReconcilerDeps = {
    getCluster: () => cluster,
    getChild: (kind, _ns, name) => live.get(`${kind}/${name}`),
    applier,
    secrets: { exists: async () => true, forget: () => {} } as unknown as SecretProbe,
    writeStatus: async () => {},
    events: { record: async (_o: unknown, _t: string, reason: string, message: string) => void events.push(`${reason}: ${message}`) } as unknown as EventRecorder,
    image: 'i',
    now: () => new Date('2026-11-29T20:00:00Z'),
    randomPassword: () => 'p',
    randomKey: () => 'k',
    randomCredentialsKey: () => 'c',
    queue: async () => undefined,
    autoscaler: new AutoscalerMemory(),
    pods: { list: async () => [], setDeletionCosts: async () => 0 },
    drain: async () => {},
  };
  await reconcileCluster(deps, { namespace: 'team-a', name: 'docs' });
  return { deleted, events };
}

describe('pruning a child the spec no longer wants (Redis in External mode)', () => {
  it.each([
    ['controlled by this cluster: deleted, by its uid', { ownerReferences: [mine] }, ['StatefulSet/docs-redis@sts-1']],
    ['not there: nothing to do', undefined, []],
    ['no owner (someone else made it)', {}, []],
    ['owned but not as controller', { ownerReferences: [{ ...mine, controller: false }] }, []],
    ['controlled by a cluster of the same name that was deleted and re-created (another uid)', { ownerReferences: [{ ...mine, uid: 'uid-0' }] }, []],
    ['controlled by something else', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'cm-1', controller: true }] }, []],
    ['already being deleted (held by a finalizer): not deleted again', { ownerReferences: [mine], deletionTimestamp: new Date(), finalizers: ['x/y'] }, []],
  ])('%s', async (_name, meta, want) => {
    expect((await reconcileWith(meta)).deleted).toEqual(want);
  });

  it('records a Pruned Event naming what it deleted', async () => {
    expect((await reconcileWith({ ownerReferences: [mine] })).events).toContain('Pruned: Deleted StatefulSet docs-redis: the spec no longer asks for it.');
  });
});
