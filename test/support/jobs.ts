// IngestionJobs and API job views for tests, defaulted as the apiserver would.
import { Value } from '@sinclair/typebox/value';
import { ingestionJobSpec, type IngestionJob } from '../../src/crd/ingestion-job.ts';
import type { JobView } from '../../src/controller/cluster-api/cluster-api.ts';

export function defaultedJob(spec: Record<string, unknown>, meta: Partial<IngestionJob['metadata']> = {}): IngestionJob {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'IngestionJob',
    metadata: { name: 'j', namespace: 'team-a', uid: 'uid-j', generation: 1, resourceVersion: '1', ...meta },
    spec: Value.Default(ingestionJobSpec, structuredClone({ clusterRef: { name: 'docs' }, collection: 'handbooks', ...spec })) as IngestionJob['spec'],
  };
}

export function view(o: Partial<JobView> = {}): JobView {
  return {
    id: 'uid-j',
    collection: 'handbooks',
    state: 'Running',
    specHash: 'h',
    counts: { total: 10, pending: 2, queued: 3, active: 1, succeeded: 3, failed: 1, skipped: 0 },
    pages: 12,
    chunks: 30,
    rate: 1.234,
    etaSeconds: 5.4,
    startTime: '2026-11-29T20:00:00.000Z',
    completionTime: null,
    embedding: { model: 'sluice-hash-v1', dimensions: 384 },
    lastFailures: [],
    ...o,
  };
}
