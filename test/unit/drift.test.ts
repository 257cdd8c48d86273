// When a child must be applied again: judged on the operator's server-side-apply field set, so a
// field removed from the desired object is noticed, and a converged child costs nothing.
import { describe, expect, it } from 'vitest';
import type { KubernetesObject, V1ManagedFieldsEntry } from '@kubernetes/client-node';
import { appliedFields, drift, staleFields } from '../../src/controller/runtime/apply.ts';
import { keepOwnAppliedFields } from '../../src/controller/runtime/shared-informers.ts';
import type { FieldsV1 } from '../../src/controller/runtime/field-set.ts';

const entry = (fieldsV1: FieldsV1, over: Partial<V1ManagedFieldsEntry> = {}): V1ManagedFieldsEntry => ({
  manager: 'sluice-operator',
  operation: 'Apply',
  apiVersion: 'v1',
  fieldsType: 'FieldsV1',
  fieldsV1,
  ...over,
});

const configMap = (data: Record<string, string>): KubernetesObject & { data: Record<string, string> } => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'docs-config', namespace: 'a' },
  data,
});
const cmFields = (...keys: string[]): FieldsV1 => ({ 'f:data': Object.fromEntries(keys.map((k) => [`f:${k}`, {}])) });
/** A live object as the apiserver returns it: defaulted metadata, and its managedFields. */
const live = <T extends KubernetesObject>(obj: T, managedFields: V1ManagedFieldsEntry[]): T => ({
  ...obj,
  metadata: { ...obj.metadata, uid: 'u1', resourceVersion: '7', managedFields },
});

describe('drift: why a child is applied again', () => {
  const want = configMap({ A: '1', B: '2' });
  it.each([
    ['nothing live: create it', undefined, 'missing'],
    ['live and ours, every field equal: skip', live(configMap({ A: '1', B: '2' }), [entry(cmFields('A', 'B'))]), undefined],
    ['listed, so without apiVersion and kind: skip', (({ apiVersion: _v, kind: _k, ...rest }) => rest)(live(configMap({ A: '1', B: '2' }), [entry(cmFields('A', 'B'))])), undefined],
    ['a value edited by hand', live(configMap({ A: '1', B: '9' }), [entry(cmFields('A', 'B'))]), 'differs'],
    ['a field we send is missing live', live(configMap({ A: '1' }), [entry(cmFields('A'))]), 'differs'],
    ['a field we applied and no longer send (SLUICE_API_KEYS_FILE)', live(configMap({ A: '1', B: '2', K: 'f' }), [entry(cmFields('A', 'B', 'K'))]), 'stale'],
    ['a field someone else added: not ours to remove', live(configMap({ A: '1', B: '2', X: 'x' }), [entry(cmFields('A', 'B')), entry(cmFields('X'), { manager: 'kubectl', operation: 'Update' })]), undefined],
    ['no field set of ours (never applied by us)', live(configMap({ A: '1', B: '2' }), [entry(cmFields('A', 'B'), { manager: 'kubectl' })]), 'unmanaged'],
    ['only an Update entry of our name (not our apply set)', live(configMap({ A: '1', B: '2' }), [entry(cmFields('A', 'B'), { operation: 'Update' })]), 'unmanaged'],
    ['a field set of another apiVersion', live(configMap({ A: '1', B: '2' }), [entry(cmFields('A', 'B'), { apiVersion: 'v2' })]), 'unmanaged'],
  ])('%s → %s', (_name, liveObj, want_) => {
    expect(drift(want, liveObj)).toBe(want_);
  });

  it('ignores a /status entry of our name', () => {
    const l = live(configMap({ A: '1', B: '2' }), [entry({ 'f:status': {} }, { subresource: 'status' }), entry(cmFields('A', 'B'))]);
    expect(appliedFields(l, 'v1')).toEqual(cmFields('A', 'B'));
    expect(drift(want, l)).toBeUndefined();
  });
});

describe('staleFields: what we own and no longer send', () => {
  // The field set the apiserver recorded for an API Deployment applied with authSecretRef.
  const owned: FieldsV1 = {
    'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:ownerReferences': { 'k:{"uid":"u1"}': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"api"}': {
              '.': {},
              'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
              'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
              'f:volumeMounts': { 'k:{"mountPath":"/tmp"}': {}, 'k:{"mountPath":"/etc/sluice/api-keys"}': { '.': {}, 'f:name': {} } },
            },
          },
          'f:volumes': { 'k:{"name":"tmp"}': {}, 'k:{"name":"api-keys"}': { '.': {}, 'f:secret': { 'f:secretName': {} } } },
        },
      },
    },
  };
  const deployment = (withKeys: boolean, replicas?: number) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'docs-api', labels: { app: 'x' }, ownerReferences: [{ apiVersion: 'sluice.dev/v1alpha1', kind: 'IngestionCluster', name: 'docs', uid: 'u1' }] },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      template: {
        spec: {
          containers: [
            {
              name: 'api',
              env: [{ name: 'A', value: '1' }],
              // An int-or-string port typed as a string still matches its key.
              ports: [{ containerPort: '8080', protocol: 'TCP' }],
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(withKeys ? [{ name: 'api-keys', mountPath: '/etc/sluice/api-keys' }] : [])],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }, ...(withKeys ? [{ name: 'api-keys', secret: { secretName: 'keys' } }] : [])],
        },
      },
    },
  });

  it.each([
    ['the same object', deployment(true, 2), []],
    ['authSecretRef removed: the mount and the volume', deployment(false, 2), ['.spec.template.spec.containers[{"name":"api"}].volumeMounts[{"mountPath":"/etc/sluice/api-keys"}]', '.spec.template.spec.volumes[{"name":"api-keys"}]']],
    ['replicas left to an autoscaler (KEDA mode)', deployment(true), ['.spec.replicas']],
  ])('%s', (_name, desired, want) => {
    expect(staleFields(owned, desired)).toEqual(want);
  });

  it('reads typed-model names (`_from`) as their wire names (`from`)', () => {
    const fields: FieldsV1 = { 'f:spec': { 'f:ingress': {}, 'f:from': {} } };
    expect(staleFields(fields, { spec: { ingress: [], _from: [] } })).toEqual([]);
  });

  it('matches set-list values (`v:`) and knows a renamed container', () => {
    const fields: FieldsV1 = { 'f:finalizers': { 'v:"a"': {} }, 'f:containers': { 'k:{"name":"old"}': {} } };
    expect(staleFields(fields, { finalizers: ['a'], containers: [{ name: 'new' }] })).toEqual(['.containers[{"name":"old"}]']);
  });
});

describe('keepOwnAppliedFields: what the informers cache of managedFields', () => {
  it.each([
    ['keeps only our Apply entry', [entry({ 'f:a': {} }, { manager: 'kube-controller-manager', operation: 'Update' }), entry({ 'f:b': {} }), entry({ 'f:status': {} }, { subresource: 'status', operation: 'Update' })], [entry({ 'f:b': {} })]],
    ['drops managedFields with no entry of ours', [entry({ 'f:a': {} }, { manager: 'kubectl' })], undefined],
  ])('%s', (_name, managedFields, want) => {
    const obj: KubernetesObject = { metadata: { name: 'x', managedFields } };
    keepOwnAppliedFields(obj);
    expect(obj.metadata?.managedFields).toEqual(want);
  });
});
