// What the informers keep of a child: the fields of the operator's own apply, its metadata,
// status and spec.replicas; and that the drift check judges the trimmed object as the whole one.
import { describe, expect, it } from 'vitest';
import type { KubernetesObject, V1ManagedFieldsEntry } from '@kubernetes/client-node';
import { drift } from '../../src/controller/runtime/apply.ts';
import { keepAppliedOnly } from '../../src/controller/runtime/applied-only.ts';
import type { FieldsV1 } from '../../src/controller/runtime/field-set.ts';

const entry = (fieldsV1: FieldsV1, over: Partial<V1ManagedFieldsEntry> = {}): V1ManagedFieldsEntry => ({
  manager: 'sluice-operator',
  operation: 'Apply',
  apiVersion: 'apps/v1',
  fieldsType: 'FieldsV1',
  fieldsV1,
  ...over,
});

// What the operator sends.
const desired = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'docs-api', namespace: 'a', labels: { app: 'x' } },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [{ name: 'api', image: 'sluice:1', args: ['api', '--port=8080'], env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 8080, protocol: 'TCP' }] }],
      },
    },
  },
};
// The field set the apiserver records for it.
const ours: FieldsV1 = {
  'f:metadata': { 'f:labels': { 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:template': {
      'f:spec': {
        'f:containers': {
          'k:{"name":"api"}': {
            '.': {},
            'f:name': {},
            'f:image': {},
            'f:args': {},
            'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
            'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
          },
        },
      },
    },
  },
};
const status = { observedGeneration: 3, replicas: 2, readyReplicas: 2, updatedReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] };
// The live object: defaulted, a sidecar and an env var of another manager, their entries, status.
const live = (over: { image?: string; managedFields?: V1ManagedFieldsEntry[]; replicas?: number } = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'docs-api',
    namespace: 'a',
    uid: 'u1',
    resourceVersion: '9',
    generation: 3,
    labels: { app: 'x' },
    annotations: { 'deployment.kubernetes.io/revision': '1' },
    ownerReferences: [{ apiVersion: 'sluice.dev/v1alpha1', kind: 'IngestionCluster', name: 'docs', uid: 'c1', controller: true }],
    managedFields: over.managedFields ?? [entry(ours), entry({ 'f:spec': { 'f:template': {} } }, { manager: 'kubectl', operation: 'Update' }), entry({ 'f:status': {} }, { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status' })],
  },
  spec: {
    replicas: over.replicas ?? 2,
    progressDeadlineSeconds: 600,
    revisionHistoryLimit: 10,
    selector: { matchLabels: { app: 'x' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { creationTimestamp: null },
      spec: {
        containers: [
          {
            name: 'api',
            image: over.image ?? 'sluice:1',
            args: ['api', '--port=8080'],
            env: [{ name: 'A', value: '1' }, { name: 'INJECTED', value: 'x' }],
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            imagePullPolicy: 'IfNotPresent',
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            resources: {},
          },
          { name: 'sidecar', image: 'mesh:1' },
        ],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
      },
    },
  },
  status,
});

describe('keepAppliedOnly', () => {
  it('keeps what we applied, metadata, status and replicas; drops defaults and others\' fields', () => {
    const kept = keepAppliedOnly(live()) as typeof desired & { status: unknown; metadata: Record<string, unknown> };
    expect(kept.spec).toEqual(desired.spec);
    expect(kept.status).toEqual(status);
    expect(kept.metadata).toMatchObject({ uid: 'u1', resourceVersion: '9', generation: 3, ownerReferences: [{ uid: 'c1', controller: true }], annotations: { 'deployment.kubernetes.io/revision': '1' } });
    expect(kept.metadata.managedFields).toEqual([entry(ours)]);
  });

  it('leaves a converged child converged: no apply, also beside list items of other managers', () => {
    expect(drift(desired, keepAppliedOnly(live()))).toBeUndefined();
    // The whole object compared list by list: another manager's container or env var made every
    // reconcile apply again, to no effect (server-side apply keeps items it does not own).
    expect(drift(desired, live())).toBe('differs');
  });

  it('still sees a value changed by hand, whose field another manager then owns', () => {
    const { 'f:image': _image, ...container } = (((ours['f:spec']!['f:template']!['f:spec']!['f:containers']!) as FieldsV1)['k:{"name":"api"}']!);
    const oursWithoutImage: FieldsV1 = { ...ours, 'f:spec': { ...ours['f:spec'], 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"api"}': container } } } } };
    const edited = live({ image: 'evil:1', managedFields: [entry(oursWithoutImage), entry({ 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"api"}': { 'f:image': {} } } } } } }, { manager: 'kubectl-edit', operation: 'Update' })] });
    expect(drift(desired, keepAppliedOnly(edited))).toBe('differs');
  });

  it('still sees a field we applied and no longer send', () => {
    const { replicas: _r, ...specWithoutReplicas } = desired.spec;
    const withoutReplicas: KubernetesObject = { ...desired, spec: specWithoutReplicas } as KubernetesObject;
    expect(drift(withoutReplicas, keepAppliedOnly(live()))).toBe('stale');
  });

  it('keeps spec.replicas that another manager holds (the HPA in KEDA mode)', () => {
    const { 'f:replicas': _r, ...spec } = ours['f:spec']!;
    const kept = keepAppliedOnly(live({ replicas: 5, managedFields: [entry({ ...ours, 'f:spec': spec }), entry({ 'f:spec': { 'f:replicas': {} } }, { manager: 'sluice-operator-handover' })] })) as typeof desired;
    expect(kept.spec.replicas).toBe(5);
  });

  it('keeps everything but managedFields of an object without an apply of ours (it is applied anyway)', () => {
    const kept = keepAppliedOnly(live({ managedFields: [entry(ours, { manager: 'kubectl' })] })) as ReturnType<typeof live>;
    expect(kept.spec).toEqual(live().spec);
    expect(kept.metadata.managedFields).toBeUndefined();
    expect(drift(desired, kept)).toBe('unmanaged');
  });

  it('drops the empty slots of listed typed models and reads renamed keys (`_from`) by their wire names', () => {
    const listed = {
      apiVersion: undefined,
      kind: undefined,
      metadata: { name: 'p', namespace: 'a', labels: undefined, managedFields: [entry({ 'f:spec': { 'f:ingress': { 'f:from': {} }, 'f:podSelector': {} } }, { apiVersion: 'networking.k8s.io/v1' })] },
      spec: { podSelector: {}, ingress: { _from: [{ podSelector: {} }] }, egress: undefined, policyTypes: ['Ingress'] },
      status: undefined,
    };
    expect(keepAppliedOnly(listed as KubernetesObject)).toEqual({
      metadata: { name: 'p', namespace: 'a', managedFields: listed.metadata.managedFields },
      spec: { podSelector: {}, ingress: { _from: [{ podSelector: {} }] } },
    });
  });
});
