// What the informers keep of an object besides its managedFields (drift.test.ts, applied-only.test.ts).
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { LAST_APPLIED, withoutLastApplied } from '../../src/controller/runtime/shared-informers.ts';

describe('withoutLastApplied', () => {
  it("drops kubectl's last-applied copy and keeps the other annotations", () => {
    const obj: KubernetesObject = { metadata: { name: 'c', annotations: { [LAST_APPLIED]: '{"spec":{}}', 'example.com/a': 'b' } } };
    expect(withoutLastApplied(obj).metadata).toEqual({ name: 'c', annotations: { 'example.com/a': 'b' } });
  });

  it('removes annotations left empty, and leaves an object without the copy as it was', () => {
    expect(withoutLastApplied({ metadata: { name: 'c', annotations: { [LAST_APPLIED]: '{}' } } }).metadata).toEqual({ name: 'c' });
    const plain: KubernetesObject = { metadata: { name: 'c', annotations: { a: 'b' } } };
    expect(withoutLastApplied(plain)).toEqual({ metadata: { name: 'c', annotations: { a: 'b' } } });
  });
});
