// KEDA mode's builders: the ScaledObject and TriggerAuthentication the operator renders, one
// variant per case. That KEDA's own CRDs accept them is test/integration/keda.test.ts.
import { describe, expect, it } from 'vitest';
import type { V1NetworkPolicy } from '@kubernetes/client-node';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { isAbsent } from '../../src/controller/builders/absent.ts';
import { buildChildPlan } from '../../src/controller/builders/children.ts';
import { buildNetworkPolicies } from '../../src/controller/builders/network-policies.ts';
import { buildScaledObject, KEDA_PAUSED_REPLICAS } from '../../src/controller/builders/scaled-object.ts';
import { buildTriggerAuthentication } from '../../src/controller/builders/trigger-authentication.ts';
import { buildWorkerDeployment } from '../../src/controller/builders/worker.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const cluster = (spec: Record<string, unknown> = {}) => defaultedCluster('docs', 'team-a', { stores, ...spec } as never);
const keda = (autoscaling: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => cluster({ ...spec, autoscaling: { mode: 'KEDA', ...autoscaling } });
const ctx = { image: 'example.com/sluice:1' };

describe('buildScaledObject', () => {
  it('targets the worker Deployment, owned by the cluster like every child', () => {
    const so = buildScaledObject(keda());
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.metadata).toMatchObject({ name: 'docs-worker', namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'sluice-operator', 'app.kubernetes.io/instance': 'docs' } });
    expect(so.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'IngestionCluster', name: 'docs', uid: 'uid-1', controller: true })]);
    const worker = buildWorkerDeployment(keda(), ctx);
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: worker.apiVersion, kind: worker.kind, name: worker.metadata!.name });
  });

  it.each([
    ['the defaults', {}, { minReplicaCount: 0, maxReplicaCount: 10, pollingInterval: 2, cooldownPeriod: 300, fallback: { failureThreshold: 3, replicas: 1 } }],
    [
      'the spec',
      { minReplicas: 2, maxReplicas: 40, pollingIntervalSeconds: 30, cooldownSeconds: 60, fallback: { failureThreshold: 5, replicas: 4 } },
      { minReplicaCount: 2, maxReplicaCount: 40, pollingInterval: 30, cooldownPeriod: 60, fallback: { failureThreshold: 5, replicas: 4 } },
    ],
  ])('takes bounds, polling, cooldown and fallback from %s', (_name, autoscaling, want) => {
    expect(buildScaledObject(keda(autoscaling)).spec).toMatchObject(want);
  });

  it('hands the HPA the spec scale-up and scale-down behavior', () => {
    const scaleDown = { stabilizationWindowSeconds: 120, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] };
    const { behavior } = buildScaledObject(keda({ scaleDown })).spec.advanced.horizontalPodAutoscalerConfig;
    expect(behavior.scaleDown).toEqual(scaleDown);
    expect(behavior.scaleUp).toEqual({
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 100, periodSeconds: 15 },
        { type: 'Pods', value: 4, periodSeconds: 15 },
      ],
    });
  });

  it.each([
    ['the defaults', {}, {}, 'http://docs-api.team-a.svc:8080/v1/queue', '5', '0'],
    ['the spec', { targetDepthPerWorker: 20, activationDepth: 3 }, { api: { port: 9443 } }, 'http://docs-api.team-a.svc:9443/v1/queue', '20', '3'],
  ])('one metrics-api trigger on the API queue depth, from %s', (_name, autoscaling, spec, url, target, activation) => {
    expect(buildScaledObject(keda(autoscaling, spec)).spec.triggers).toEqual([
      {
        type: 'metrics-api',
        name: 'queue-depth',
        metricType: 'AverageValue',
        // KEDA's trigger metadata is a map of strings: numbers would be refused by its CRD.
        metadata: { url, format: 'json', valueLocation: 'depth', targetValue: target, activationTargetValue: activation, authMode: 'bearer' },
        authenticationRef: { kind: 'TriggerAuthentication', name: 'docs-worker' },
      },
    ]);
  });

  it.each([
    ['running', false, undefined],
    ['suspended: KEDA holds the workers at 0 with its HPA removed, instead of fighting the operator', true, '0'],
  ])('%s', (_name, suspend, paused) => {
    expect(buildScaledObject(keda({}, { suspend })).metadata!.annotations?.[KEDA_PAUSED_REPLICAS]).toBe(paused);
  });

  it('is identical across builds (no apply on reconcile)', () => {
    expect(buildScaledObject(keda())).toEqual(buildScaledObject(keda()));
  });
});

describe('buildTriggerAuthentication', () => {
  it("reads the bearer token from the operator key Secret's key", () => {
    const ta = buildTriggerAuthentication(keda());
    expect(ta).toMatchObject({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'docs-worker', namespace: 'team-a' } });
    expect(ta.spec).toEqual({ secretTargetRef: [{ parameter: 'token', name: 'docs-operator-key', key: 'key' }] });
    expect(ta.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'IngestionCluster', uid: 'uid-1', controller: true })]);
  });
});

describe('the KEDA children in the plan', () => {
  const state = (spec: Record<string, unknown>) =>
    buildChildPlan(cluster(spec), ctx)
      .filter((c) => c.apiVersion === 'keda.sh/v1alpha1')
      .map((c) => `${c.kind}/${c.metadata!.name}:${isAbsent(c) ? 'absent' : 'present'}`);

  it.each([
    ['KEDA', { autoscaling: { mode: 'KEDA' } }, 'present'],
    ['KEDA and suspended (paused, not deleted)', { autoscaling: { mode: 'KEDA' }, suspend: true }, 'present'],
    ['Builtin', { autoscaling: { mode: 'Builtin' } }, 'absent'],
    ['None', { autoscaling: { mode: 'None' } }, 'absent'],
  ])('%s: %s', (_name, spec, want) => {
    expect(state(spec)).toEqual([`TriggerAuthentication/docs-worker:${want}`, `ScaledObject/docs-worker:${want}`]);
  });
});

/** Whether a policy's ingress admits a pod of `namespace` (labelled as Kubernetes labels namespaces) on `port`. */
function admits(policy: V1NetworkPolicy, namespace: string, podLabels: Record<string, string>, port: number): boolean {
  const matches = (sel: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>) =>
    sel === undefined || Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (policy.spec!.ingress ?? []).some(
    (rule) =>
      (rule.ports ?? []).some((p) => p.port === port) &&
      (!rule._from?.length ||
        rule._from.some((peer) => peer.namespaceSelector !== undefined && matches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace }) && matches(peer.podSelector, podLabels))),
  );
}

describe("the API's NetworkPolicy in KEDA mode", () => {
  // KEDA's operator pod makes the metrics-api requests; KEDA installs into namespace `keda`.
  const kedaOperator = { 'app.kubernetes.io/name': 'keda-operator' };

  it.each([8080, 9443])('admits KEDA (namespace keda) to the API port %i, where GET /v1/queue is served', (port) => {
    const api = buildNetworkPolicies(keda({}, { api: { port } })).find((p) => p.metadata!.name === 'docs-api')!;
    expect(admits(api, 'keda', kedaOperator, port)).toBe(true);
  });

  it('the check above can fail: a policy admitting only the cluster namespace does not admit KEDA', () => {
    const only: V1NetworkPolicy = { spec: { podSelector: {}, ingress: [{ _from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } } }], ports: [{ port: 8080 as never }] }] } };
    expect(admits(only, 'keda', kedaOperator, 8080)).toBe(false);
    expect(admits(only, 'team-a', kedaOperator, 8080)).toBe(true);
  });
});
