// Turns the TypeBox definitions into CustomResourceDefinitions. Pure: no I/O.
import type { V1CustomResourceColumnDefinition, V1CustomResourceDefinition, V1JSONSchemaProps } from '@kubernetes/client-node';
import type { TSchema } from '@sinclair/typebox';
import { GROUP, VERSION } from './common.ts';
import { ingestionClusterSpec, ingestionClusterStatus } from './ingestion-cluster.ts';
import { ingestionJobSpec, ingestionJobStatus } from './ingestion-job.ts';

interface KindDefinition {
  kind: string;
  plural: string;
  shortNames: string[];
  description: string;
  spec: TSchema;
  status: TSchema;
  columns: V1CustomResourceColumnDefinition[];
}

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; required?: string[]; items?: Schema; additionalProperties?: Schema | boolean };

/**
 * Makes a TypeBox schema structural and apiserver-ready: drops TypeBox's symbols, takes
 * defaulted fields out of `required` (they are always present once the apiserver has defaulted
 * them), and insists that every field has a description so `kubectl explain` is useful.
 */
export function toStructural(schema: TSchema, path = ''): V1JSONSchemaProps {
  const plain = JSON.parse(JSON.stringify(schema)) as Schema;
  return walk(plain, path) as V1JSONSchemaProps;
}

/**
 * The apiserver validates a default as it is written, before nested defaults apply, so an
 * object default of `{}` must spell out its children's defaults for CEL rules to see them.
 */
function materialize(s: Schema, value: unknown): unknown {
  if (!s.properties || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, child] of Object.entries(s.properties)) {
    const v = out[name] ?? child.default;
    if (v !== undefined) out[name] = materialize(child, v);
  }
  return out;
}

function walk(s: Schema, path: string): Schema {
  if (path && typeof s.description !== 'string') throw new Error(`schema field ${path} has no description`);
  if (s.properties) {
    for (const [name, child] of Object.entries(s.properties)) s.properties[name] = walk(child, `${path}.${name}`);
    const required = (s.required ?? []).filter((name) => s.properties?.[name]?.default === undefined);
    if (required.length > 0) s.required = required;
    else delete s.required;
  }
  if (s.default !== undefined) s.default = materialize(s, s.default);
  if (s.items) s.items = walk(s.items, `${path}[]`);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') s.additionalProperties = walk(s.additionalProperties, `${path}{}`);
  return s;
}

const condition = (type: string) => `.status.conditions[?(@.type=="${type}")]`;

export const kinds: KindDefinition[] = [
  {
    kind: 'IngestionCluster',
    plural: 'ingestionclusters',
    shortNames: ['ic'],
    description: 'An ingestion stack: Redis, the upload/search API and autoscaled PDF ingestion workers.',
    spec: ingestionClusterSpec,
    status: ingestionClusterStatus,
    columns: [
      { name: 'Ready', type: 'string', jsonPath: `${condition('Ready')}.status`, description: 'Whether the cluster can serve: Redis, the API and enough workers are ready.' },
      { name: 'Workers', type: 'string', jsonPath: '.status.workers.summary', description: 'Ready/desired workers.' },
      { name: 'Busy', type: 'integer', jsonPath: '.status.workers.busy', description: 'Workers processing a document.' },
      { name: 'Queue', type: 'integer', jsonPath: '.status.queue.waiting', description: 'Documents waiting.' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      { name: 'Active', type: 'integer', jsonPath: '.status.queue.active', description: 'Documents in flight.', priority: 1 },
      { name: 'Autoscaling', type: 'string', jsonPath: '.spec.autoscaling.mode', description: 'Owner of the worker count.', priority: 1 },
      { name: 'Scaling', type: 'string', jsonPath: `${condition('Scaling')}.reason`, description: 'A scale or rollout under way (ScalingUp, ScalingDown, RollingOut) or Stable.', priority: 1 },
      { name: 'Reason', type: 'string', jsonPath: `${condition('Ready')}.reason`, description: 'Why the cluster is (not) ready.', priority: 1 },
    ],
  },
  {
    kind: 'IngestionJob',
    plural: 'ingestionjobs',
    shortNames: ['ij'],
    description: 'A batch of PDF documents to parse, chunk, embed and store, run on an IngestionCluster.',
    spec: ingestionJobSpec,
    status: ingestionJobStatus,
    columns: [
      { name: 'Status', type: 'string', jsonPath: '.status.phase', description: 'Pending, Running, Suspended, Complete or Failed.' },
      { name: 'Progress', type: 'string', jsonPath: '.status.progress', description: 'Finished of total documents.' },
      { name: 'Succeeded', type: 'integer', jsonPath: '.status.counts.succeeded', description: 'Documents ingested.' },
      { name: 'Failed', type: 'integer', jsonPath: '.status.counts.failed', description: 'Documents failed.' },
      { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterRef.name', description: 'The IngestionCluster running the job.' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      { name: 'Rate', type: 'number', jsonPath: '.status.rate', description: 'Documents finished per second over the last minute.', priority: 1 },
      { name: 'ETA', type: 'integer', jsonPath: '.status.etaSeconds', description: 'Estimated seconds to go.', priority: 1 },
      { name: 'Collection', type: 'string', jsonPath: '.spec.collection', description: 'Target Chroma collection.', priority: 1 },
      { name: 'Chunks', type: 'integer', jsonPath: '.status.chunks', description: 'Chunks written.', priority: 1 },
      { name: 'OCR Pages', type: 'integer', jsonPath: '.status.pagesOcr', description: 'Pages whose text OCR recognised.', priority: 1 },
      { name: 'Completed', type: 'date', jsonPath: '.status.completionTime', description: 'When the job finished.', priority: 1 },
    ],
  },
];

export function buildCrd(def: KindDefinition): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.kind.toLowerCase(),
        shortNames: def.shortNames,
        categories: ['sluice'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: def.description,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string', description: 'Versioned schema of this representation of an object.' },
                kind: { type: 'string', description: 'REST resource this object represents.' },
                metadata: { type: 'object' },
                spec: toStructural(def.spec, 'spec'),
                status: toStructural(def.status, 'status'),
              },
            },
          },
        },
      ],
    },
  };
}

export const buildCrds = (): V1CustomResourceDefinition[] => kinds.map(buildCrd);
