// Add-ons' kinds (KEDA's, the Gateway API's) are optional: told apart from other failures by
// client-node's discovery errors.
import { describe, expect, it } from 'vitest';
import { CLUSTER_CHILD_KINDS } from '../../src/controller/kinds.ts';
import { kindNotServed } from '../../src/controller/runtime/kind-ref.ts';

const apiError = (code: number, message: string) => Object.assign(new Error(message), { code });

describe('kindNotServed', () => {
  it.each([
    ['discovery of the group version answered 404', apiError(404, 'Failed to fetch resource metadata for keda.sh/v1alpha1/ScaledObject: HTTP-Code: 404'), true],
    ['the group version is served without the kind', new Error('Unrecognized API version and kind: keda.sh/v1alpha1 ScaledObject'), true],
    ['a 404 of the request itself (its namespace gone)', apiError(404, 'HTTP-Code: 404 Message: namespaces "x" not found'), false],
    ['discovery failing otherwise', apiError(503, 'Failed to fetch resource metadata for keda.sh/v1alpha1/ScaledObject: HTTP-Code: 503'), false],
    ['not an Error', { code: 404 }, false],
  ])('%s: %s', (_name, err, want) => {
    expect(kindNotServed(err)).toBe(want);
  });
});

describe('CLUSTER_CHILD_KINDS', () => {
  it('marks only the kinds of add-ons optional: KEDA and the Gateway API', () => {
    expect(CLUSTER_CHILD_KINDS.filter((k) => k.optional).map((k) => `${k.apiVersion}/${k.kind}`)).toEqual([
      'gateway.networking.k8s.io/v1/HTTPRoute',
      'keda.sh/v1alpha1/ScaledObject',
      'keda.sh/v1alpha1/TriggerAuthentication',
    ]);
  });
});
