// Builders answering "this object must not exist": every kind and name a cluster may own is in
// its plan whatever the spec, either as the object or as an absent marker the reconciler prunes.
import { describe, expect, it } from 'vitest';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { isAbsent, presentIf } from '../../src/controller/builders/absent.ts';
import { buildChildPlan } from '../../src/controller/builders/children.ts';
import { buildRedisService } from '../../src/controller/builders/redis.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const cluster = (spec: Record<string, unknown> = {}) => defaultedCluster('docs', 'team-a', { stores, ...spec } as never);
const ctx = { image: 'example.com/sluice:1' };
const external = { redis: { mode: 'External', externalSecretRef: { name: 'ext' } } };
const REDIS = ['ServiceAccount/docs-redis', 'Service/docs-redis', 'StatefulSet/docs-redis', 'NetworkPolicy/docs-redis'];
/** KEDA mode's children, absent in the default (Builtin) mode. */
const KEDA = ['TriggerAuthentication/docs-worker', 'ScaledObject/docs-worker'];
/** The API's exposure beyond its Service, absent unless asked for. */
const EXPOSURE = ['Ingress/docs-api', 'HTTPRoute/docs-api'];
const sorted = (ids: string[]) => [...ids].sort();

const plan = (spec: Record<string, unknown>) => buildChildPlan(cluster(spec), ctx).map((c) => ({ id: `${c.kind}/${c.metadata!.name}`, absent: isAbsent(c) }));

describe('buildChildPlan', () => {
  it.each([
    ['Managed', {}, [...KEDA, ...EXPOSURE]],
    ['External', external, [...REDIS, ...KEDA, ...EXPOSURE]],
    ['External and suspended', { ...external, suspend: true }, [...REDIS, ...KEDA, ...EXPOSURE]],
    ['KEDA autoscaling (replicas left out, the Deployment kept)', { autoscaling: { mode: 'KEDA' } }, EXPOSURE],
    ['KEDA autoscaling, External Redis', { ...external, autoscaling: { mode: 'KEDA' } }, [...REDIS, ...EXPOSURE]],
    ['no autoscaling', { autoscaling: { mode: 'None' } }, [...KEDA, ...EXPOSURE]],
    ['authSecretRef set', { api: { authSecretRef: { name: 'keys' } } }, [...KEDA, ...EXPOSURE]],
    ['an Ingress', { api: { ingress: { host: 'docs.example.com' } } }, [...KEDA, 'HTTPRoute/docs-api']],
    ['an HTTPRoute', { api: { httpRoute: { parentRefs: [{ name: 'gw' }] } } }, [...KEDA, 'Ingress/docs-api']],
  ])('%s: absent %j', (_name, spec, absent) => {
    expect(sorted(plan(spec).filter((c) => c.absent).map((c) => c.id))).toEqual(sorted(absent));
  });

  it('names the same kinds and names whatever the spec, so switching leaves nothing behind', () => {
    const ids = (spec: Record<string, unknown>) => plan(spec).map((c) => c.id);
    expect(ids(external)).toEqual(ids({}));
    expect(ids({ autoscaling: { mode: 'KEDA' } })).toEqual(ids({}));
    expect(new Set(ids({})).size).toBe(ids({}).length);
  });

  it('marks an absent child with its kind, name and the cluster namespace, and nothing else', () => {
    const marker = buildChildPlan(cluster(external), ctx).find((c) => c.kind === 'StatefulSet');
    expect(marker).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'docs-redis', namespace: 'team-a' }, absent: true });
  });
});

describe('presentIf', () => {
  it('is the built object when wanted', () => {
    const c = cluster();
    expect(presentIf(true, c, () => buildRedisService(c))).toEqual(buildRedisService(c));
  });
  it('is a marker naming it when not', () => {
    const c = cluster();
    expect(presentIf(false, c, () => buildRedisService(c))).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'docs-redis', namespace: 'team-a' }, absent: true });
  });
});
