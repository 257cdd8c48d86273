// buildReplicasHandover: when the operator is about to let go of the worker count (KEDA mode)
// while it still owns it, the live count to hold under a manager of its own; otherwise nothing.
import { describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { buildReplicasHandover } from '../../src/controller/builders/replicas-handover.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const cluster = (spec: Record<string, unknown>) => defaultedCluster('docs', 'team-a', { stores, ...spec } as never);

/** A live worker Deployment at `replicas`, the operator's Apply entry holding spec.replicas or not. */
function live(replicas: number | undefined, operatorOwnsReplicas: boolean, apiVersion = 'apps/v1'): V1Deployment {
  const spec = { 'f:selector': {}, ...(operatorOwnsReplicas ? { 'f:replicas': {} } : {}) };
  return {
    metadata: { name: 'docs-worker', namespace: 'team-a', managedFields: [{ manager: 'sluice-operator', operation: 'Apply', apiVersion, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': spec } }] },
    spec: { ...(replicas === undefined ? {} : { replicas }), selector: {}, template: {} },
  };
}

const KEDA = { autoscaling: { mode: 'KEDA' } };

describe('buildReplicasHandover', () => {
  it('holds the live count when KEDA mode finds the operator still owning it', () => {
    expect(buildReplicasHandover(cluster(KEDA), live(5, true))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'docs-worker', namespace: 'team-a' },
      spec: { replicas: 5 },
    });
  });

  it.each([
    ['None: the operator keeps setting it', { autoscaling: { mode: 'None' } }, live(5, true)],
    ['Builtin: the operator keeps setting it', { autoscaling: { mode: 'Builtin' } }, live(5, true)],
    ['KEDA and suspended: the operator sets 0', { ...KEDA, suspend: true }, live(5, true)],
    ['KEDA, the operator owning it no more (handed over already)', KEDA, live(5, false)],
    ['KEDA, no Deployment yet', KEDA, undefined],
    ['KEDA, no replicas live', KEDA, live(undefined, true)],
    ["KEDA, the operator's entry of another apiVersion", KEDA, live(5, true, 'apps/v1beta2')],
  ])('nothing when %s', (_name, spec, deployment) => {
    expect(buildReplicasHandover(cluster(spec), deployment)).toBeUndefined();
  });
});
