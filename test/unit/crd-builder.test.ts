import { describe, expect, it } from 'vitest';
import type { V1JSONSchemaProps } from '@kubernetes/client-node';
import { buildCrds, toStructural } from '../../src/crd/crd-builder.ts';
import { int, obj, optional, str } from '../../src/crd/schema.ts';

function* fields(s: V1JSONSchemaProps, path: string): Generator<[string, V1JSONSchemaProps]> {
  yield [path, s];
  for (const [k, v] of Object.entries(s.properties ?? {})) yield* fields(v, `${path}.${k}`);
  if (s.items && !Array.isArray(s.items)) yield* fields(s.items as V1JSONSchemaProps, `${path}[]`);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') yield* fields(s.additionalProperties as V1JSONSchemaProps, `${path}{}`);
}

describe('toStructural', () => {
  it('drops defaulted fields from required and keeps the rest', () => {
    const s = toStructural(
      obj({ a: str({ description: 'a' }), b: int({ description: 'b', default: 3 }), c: optional(str({ description: 'c' })) }, { description: 'x' }),
    );
    expect(s.required).toEqual(['a']);
    expect(s.properties?.b?._default ?? (s.properties?.b as Record<string, unknown>)?.default).toBe(3);
  });

  it('omits required when every field is optional or defaulted', () => {
    const s = toStructural(obj({ b: int({ description: 'b', default: 3 }) }, { description: 'x' }));
    expect(s.required).toBeUndefined();
  });

  it('refuses a field without a description', () => {
    const bad = obj({ a: { type: 'string' } as never }, { description: 'x' });
    expect(() => toStructural(bad, 'spec')).toThrow('spec.a has no description');
  });
});

describe('generated CRDs', () => {
  const crds = buildCrds();

  it.each([
    ['IngestionCluster', 'ingestionclusters', 'ic'],
    ['IngestionJob', 'ingestionjobs', 'ij'],
  ])('%s has its names, category and status subresource', (kind, plural, short) => {
    const crd = crds.find((c) => c.spec.names.kind === kind)!;
    expect(crd.metadata?.name).toBe(`${plural}.sluice.dev`);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names.shortNames).toEqual([short]);
    expect(crd.spec.names.categories).toEqual(['sluice']);
    const v = crd.spec.versions[0]!;
    expect(v.name).toBe('v1alpha1');
    expect(v.subresources?.status).toEqual({});
  });

  it('describes every field of spec and status', () => {
    for (const crd of crds) {
      const root = crd.spec.versions[0]!.schema!.openAPIV3Schema!;
      for (const part of ['spec', 'status']) {
        for (const [path, s] of fields(root.properties![part]!, part)) expect(s.description, path).toBeTruthy();
      }
    }
  });

  it('keys conditions by type as a list-map', () => {
    for (const crd of crds) {
      const cond = crd.spec.versions[0]!.schema!.openAPIV3Schema!.properties!.status!.properties!.conditions! as Record<string, unknown>;
      expect(cond['x-kubernetes-list-type']).toBe('map');
      expect(cond['x-kubernetes-list-map-keys']).toEqual(['type']);
    }
  });

  it.each([
    ['IngestionCluster', ['Ready', 'Workers', 'Busy', 'Queue', 'Age']],
    ['IngestionJob', ['Status', 'Progress', 'Succeeded', 'Failed', 'Cluster', 'Age']],
  ])('%s shows the agreed printer columns by default', (kind, columns) => {
    const crd = crds.find((c) => c.spec.names.kind === kind)!;
    const shown = crd.spec.versions[0]!.additionalPrinterColumns!.filter((c) => !c.priority).map((c) => c.name);
    expect(shown).toEqual(columns);
  });
});
