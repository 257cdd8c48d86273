// Pure builders of an IngestionCluster's children, one variant per case.
import { describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { buildApiDeployment } from '../../src/controller/builders/api.ts';
import { buildChildren } from '../../src/controller/builders/children.ts';
import { componentConfig, configHash, referencedSecrets, secretEnv } from '../../src/controller/builders/config.ts';
import { buildNetworkPolicies, urlPort } from '../../src/controller/builders/network-policies.ts';
import { buildRedisStatefulSet } from '../../src/controller/builders/redis.ts';
import { buildWorkerDeployment, workerReplicas } from '../../src/controller/builders/worker.ts';
import { isSubset } from '../../src/controller/runtime/apply.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const cluster = (spec: Record<string, unknown> = {}) => defaultedCluster('docs', 'team-a', { stores, ...spec } as never);
const ctx = { image: 'example.com/sluice:1' };
const container = (d: V1Deployment) => d.spec!.template.spec!.containers[0]!;

describe('workerReplicas: one owner of the worker count per mode', () => {
  it.each([
    ['None uses spec.workers.replicas', { autoscaling: { mode: 'None' }, workers: { replicas: 3 } }, 7, 3],
    ['KEDA leaves replicas to the HPA', { autoscaling: { mode: 'KEDA' } }, 7, undefined],
    ['Builtin uses the autoscaler decision', { autoscaling: { mode: 'Builtin' } }, 7, 7],
    ['Builtin without a decision uses workers.replicas', { autoscaling: { mode: 'Builtin' }, workers: { replicas: 3 } }, undefined, 3],
    ['… raised to minReplicas', { autoscaling: { mode: 'Builtin', minReplicas: 2 }, workers: { replicas: 1 } }, undefined, 2],
    ['… capped at maxReplicas', { autoscaling: { mode: 'Builtin', maxReplicas: 4 }, workers: { replicas: 9 } }, undefined, 4],
    ['suspend wins over every mode', { suspend: true, autoscaling: { mode: 'None' }, workers: { replicas: 3 } }, 7, 0],
  ])('%s', (_name, spec, desired, want) => {
    expect(workerReplicas(cluster(spec), desired)).toBe(want);
  });

  it('omits spec.replicas entirely in KEDA mode, so server-side apply releases it', () => {
    expect(buildWorkerDeployment(cluster({ autoscaling: { mode: 'KEDA' } }), ctx).spec).not.toHaveProperty('replicas');
  });
});

describe('buildWorkerDeployment', () => {
  it('uses the operator image unless the spec names one', () => {
    expect(container(buildWorkerDeployment(cluster(), ctx)).image).toBe('example.com/sluice:1');
    expect(container(buildWorkerDeployment(cluster({ workers: { image: 'mine:2' } }), ctx)).image).toBe('mine:2');
  });

  it('takes its grace period from the spec', () => {
    expect(buildWorkerDeployment(cluster({ workers: { terminationGracePeriodSeconds: 900 } }), ctx).spec!.template.spec!.terminationGracePeriodSeconds).toBe(900);
  });

  it('is identical across builds (no rollout on reconcile)', () => {
    expect(buildWorkerDeployment(cluster(), ctx)).toEqual(buildWorkerDeployment(cluster(), ctx));
  });

  it('stringifies numeric quantities', () => {
    const d = buildWorkerDeployment(cluster({ workers: { resources: { requests: { cpu: 2, memory: '1Gi' } } } }), ctx);
    expect(container(d).resources).toEqual({ requests: { cpu: '2', memory: '1Gi' } });
  });
});

describe('configHash: only a relevant change rolls a component', () => {
  it.each([
    ['worker concurrency', { workers: { concurrency: 9 } }, { api: false, worker: true }],
    // The upload limit is also the workers' fetch limit unless workers.fetch.maxBytes is set.
    ['API upload limit', { api: { maxUploadBytes: 2048 } }, { api: true, worker: true }],
    ['API rate limit', { api: { rateLimitPerMinute: 5 } }, { api: true, worker: false }],
    ['embedding model (both read it)', { embedding: { model: 'other' } }, { api: true, worker: true }],
    ['API replicas (not configuration)', { api: { replicas: 5 } }, { api: false, worker: false }],
  ])('%s', (_name, spec, changed) => {
    for (const c of ['api', 'worker'] as const) expect(configHash(cluster(spec), c) !== configHash(cluster(), c), c).toBe(changed[c]);
  });
});

describe('worker shutdown', () => {
  it.each([
    [300, '290'],
    [12, '5'],
  ])('grace %i s gives the worker %s s to hand back its documents', (grace, want) => {
    const c = cluster({ workers: { terminationGracePeriodSeconds: grace, documentTimeoutSeconds: 5 } });
    expect(componentConfig(c).worker.SLUICE_SHUTDOWN_TIMEOUT_SECONDS).toBe(want);
  });
});

describe('buildApiDeployment', () => {
  it('scales to zero when suspended', () => {
    expect(buildApiDeployment(cluster({ suspend: true }), ctx).spec!.replicas).toBe(0);
  });

  it('mounts the API keys only when a Secret is given', () => {
    // Besides the operator's key, which every API mounts.
    expect(buildApiDeployment(cluster(), ctx).spec!.template.spec!.volumes!.map((v) => v.name)).toEqual(['tmp', 'operator-key']);
    const d = buildApiDeployment(cluster({ api: { authSecretRef: { name: 'keys' } } }), ctx);
    expect(d.spec!.template.spec!.volumes).toContainEqual({ name: 'api-keys', secret: { secretName: 'keys' } });
  });

  it('serves /metrics on its own port, apart from the keyed API port', () => {
    const c = container(buildApiDeployment(cluster({ api: { port: 8443 } }), ctx));
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 8443, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    // One ConfigMap feeds both components: the API and the worker read the same metrics port.
    expect(componentConfig(cluster()).common.SLUICE_METRICS_PORT).toBe('9090');
  });
});

describe('secrets are referenced, never inlined', () => {
  it('managed Redis: the URL expands the password from the generated Secret', () => {
    const env = secretEnv(cluster());
    expect(env.find((e) => e.name === 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'docs-redis-auth', key: 'password' });
    expect(env.find((e) => e.name === 'SLUICE_REDIS_URL')?.value).toBe('redis://:$(REDIS_PASSWORD)@docs-redis.team-a.svc:6379');
  });

  it('external Redis: the URL comes from the referenced Secret', () => {
    const env = secretEnv(cluster({ redis: { mode: 'External', externalSecretRef: { name: 'ext' } } }));
    expect(env.find((e) => e.name === 'SLUICE_REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'ext', key: 'url' });
    expect(env.find((e) => e.name === 'REDIS_PASSWORD')).toBeUndefined();
  });

  it('lists every referenced Secret with the field that names it', () => {
    const refs = referencedSecrets(cluster({ api: { authSecretRef: { name: 'keys' } }, embedding: { provider: 'OpenAICompatible', endpoint: 'https://e/v1', apiKeySecretRef: { name: 'openai' } } }));
    expect(refs.map((r) => [r.name, r.field])).toEqual([
      ['pg', 'spec.stores.postgres.secretRef'],
      ['openai', 'spec.embedding.apiKeySecretRef'],
      ['keys', 'spec.api.authSecretRef'],
    ]);
  });
});

describe('buildChildren', () => {
  it.each([
    ['Managed', {}, 14],
    ['External', { redis: { mode: 'External', externalSecretRef: { name: 'ext' } } }, 10],
  ])('Redis %s', (_mode, spec, count) => {
    const kinds = buildChildren(cluster(spec), ctx).map((c) => `${c.kind}/${c.metadata!.name}`);
    expect(kinds).toHaveLength(count);
    expect(kinds.some((k) => k === 'StatefulSet/docs-redis')).toBe(count === 14);
  });

  it('gives every child a controller owner reference to the cluster', () => {
    for (const c of buildChildren(cluster(), ctx)) expect(c.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'IngestionCluster', name: 'docs', uid: 'uid-1', controller: true })]);
  });
});

describe('Redis', () => {
  it('persists to an AOF volume of the requested size', () => {
    const s = buildRedisStatefulSet(cluster({ redis: { storage: { size: '5Gi', storageClassName: 'fast' } } }));
    expect(s.spec!.volumeClaimTemplates![0]!.spec).toMatchObject({ resources: { requests: { storage: '5Gi' } }, storageClassName: 'fast' });
  });
});

describe('network policies', () => {
  it.each([
    ['http://chroma:8000', 8000],
    ['https://chroma.example.com', 443],
    ['http://chroma', 80],
  ])('port of %s is %i', (url, port) => {
    expect(urlPort(url)).toBe(port);
  });

  it('admits traffic to the API and metrics ports of the API pods', () => {
    const api = buildNetworkPolicies(cluster({ api: { port: 8443 } })).find((p) => p.metadata!.name === 'docs-api')!;
    expect(api.spec!.ingress).toEqual([{ ports: [{ port: 8443, protocol: 'TCP' }, { port: 9090, protocol: 'TCP' }] }]);
  });

  it('lets workers reach Chroma on its port', () => {
    const worker = buildNetworkPolicies(cluster()).find((p) => p.metadata!.name === 'docs-worker')!;
    expect(JSON.stringify(worker.spec!.egress)).toContain('"port":8000');
  });

  it.each([
    ['the default fetch ports', {}, [80, 443]],
    ['the ports the spec names, and no others', { workers: { fetch: { ports: [8333, 443] } } }, [8333, 443]],
  ])('lets workers fetch on %s', (_name, spec, ports) => {
    const worker = buildNetworkPolicies(cluster(spec)).find((p) => p.metadata!.name === 'docs-worker')!;
    const open = worker.spec!.egress!.at(-1)!.ports!.map((p) => p.port);
    for (const port of ports) expect(open).toContain(port);
    for (const port of [80, 443, 8333].filter((p) => !ports.includes(p))) expect(open).not.toContain(port);
  });
});

describe('isSubset', () => {
  it.each([
    ['equal scalars', { a: 1 }, { a: 1 }, true],
    ['extra live fields (defaults)', { a: 1 }, { a: 1, b: 2 }, true],
    ['a changed value', { a: 1 }, { a: 2 }, false],
    ['a missing field', { a: 1 }, {}, false],
    ['quantities in the other form', { cpu: 2 }, { cpu: '2' }, true],
    ['arrays compare element-wise', { l: [{ a: 1 }] }, { l: [{ a: 1, x: 0 }] }, true],
    ['arrays of another length', { l: [1] }, { l: [1, 2] }, false],
    ['client-node _from against wire from', { _from: [1] }, { from: [1] }, true],
  ])('%s', (_name, desired, live, want) => {
    expect(isSubset(desired, live)).toBe(want);
  });
});
