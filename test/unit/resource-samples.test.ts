import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import type { IngestionJob } from '../../src/crd/ingestion-job.ts';
import { registerResourceMetrics } from '../../src/controller/metrics/resource-metrics.ts';
import { clusterSamples, jobSamples, type Sample } from '../../src/controller/metrics/resource-samples.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const cluster = (spec: Record<string, unknown> = {}, status?: Record<string, unknown>) => ({ ...defaultedCluster('docs', 'ns', { stores, ...spec } as never), ...(status ? { status } : {}) });
const job = (status?: IngestionJob['status']): IngestionJob => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'IngestionJob',
  metadata: { name: 'handbooks', namespace: 'ns' },
  spec: { clusterRef: { name: 'docs' }, collection: 'c', sources: [] } as never,
  ...(status ? { status } : {}),
});
/** Samples as `name{label=value,...} value`, sorted, for reading. */
const lines = (samples: Sample[]) => samples.map((s) => `${s.name}{${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(',')}} ${s.value}`).sort();

describe('clusterSamples', () => {
  it.each([
    ['a new cluster: only the bounds of Builtin autoscaling', {}, undefined, ['sluice_cluster_workers{namespace=ns,ingestion_cluster=docs,state=max} 10', 'sluice_cluster_workers{namespace=ns,ingestion_cluster=docs,state=min} 0']],
    ['mode None: both bounds are spec.workers.replicas', { autoscaling: { mode: 'None' }, workers: { replicas: 3 } }, undefined, ['sluice_cluster_workers{namespace=ns,ingestion_cluster=docs,state=max} 3', 'sluice_cluster_workers{namespace=ns,ingestion_cluster=docs,state=min} 3']],
    [
      'a running cluster in fallback',
      { autoscaling: { mode: 'Builtin', minReplicas: 1, maxReplicas: 4 } },
      { phase: 'Ready', workers: { desired: 4, replicas: 4, ready: 3, busy: 3, idle: 0, summary: '3/3' }, queue: { waiting: 120, active: 3 }, autoscaling: { mode: 'Builtin', reason: 'Fallback' } },
      [
        'sluice_cluster_autoscaler_reason{namespace=ns,ingestion_cluster=docs,reason=Fallback} 1',
        'sluice_cluster_phase{namespace=ns,ingestion_cluster=docs,phase=Ready} 1',
        'sluice_cluster_queue_documents{namespace=ns,ingestion_cluster=docs,state=active} 3',
        'sluice_cluster_queue_documents{namespace=ns,ingestion_cluster=docs,state=waiting} 120',
        'sluice_cluster_workers{namespace=ns,ingestion_cluster=docs,state=busy} 3',
        'sluice_cluster_workers{namespace=ns,ingestion_cluster=docs,state=desired} 4',
        'sluice_cluster_workers{namespace=ns,ingestion_cluster=docs,state=idle} 0',
        'sluice_cluster_workers{namespace=ns,ingestion_cluster=docs,state=max} 4',
        'sluice_cluster_workers{namespace=ns,ingestion_cluster=docs,state=min} 1',
        'sluice_cluster_workers{namespace=ns,ingestion_cluster=docs,state=ready} 3',
        'sluice_cluster_workers{namespace=ns,ingestion_cluster=docs,state=replicas} 4',
      ],
    ],
  ])('%s', (_name, spec, status, want) => {
    expect(lines(clusterSamples(cluster(spec, status)))).toEqual(want);
  });
});

describe('jobSamples', () => {
  it.each([
    ['a job not yet seen by the operator', undefined, []],
    [
      'a running job',
      { phase: 'Running', counts: { total: 10, queued: 4, active: 2, succeeded: 3, failed: 1 }, pages: 40, pagesOcr: 5, rate: 0.5, etaSeconds: 12, startTime: '2026-12-07T10:00:00Z' },
      [
        'sluice_job_documents_per_second{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs} 0.5',
        'sluice_job_documents{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs,state=active} 2',
        'sluice_job_documents{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs,state=failed} 1',
        'sluice_job_documents{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs,state=queued} 4',
        'sluice_job_documents{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs,state=succeeded} 3',
        'sluice_job_documents{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs,state=total} 10',
        'sluice_job_eta_seconds{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs} 12',
        'sluice_job_ocr_pages{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs} 5',
        'sluice_job_pages{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs} 40',
        'sluice_job_phase{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs,phase=Running} 1',
        `sluice_job_start_time_seconds{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs} ${Date.UTC(2026, 11, 7, 10) / 1000}`,
      ],
    ],
    ['an unreadable start time is left out', { phase: 'Pending', startTime: 'soon' }, ['sluice_job_phase{namespace=ns,ingestion_job=handbooks,ingestion_cluster=docs,phase=Pending} 1']],
  ])('%s', (_name, status, want) => {
    expect(lines(jobSamples(job(status as IngestionJob['status'])))).toEqual(want);
  });
});

describe('the resource gauges', () => {
  it("answer from the caches while leading, and with nothing otherwise (the leader's are the ones)", async () => {
    let leading = true;
    const registry = new Registry();
    registerResourceMetrics(registry, { clusters: () => [cluster()], jobs: () => [job({ phase: 'Running', counts: { total: 2, succeeded: 1 } })], isLeader: () => leading });
    const text = await registry.metrics();
    expect(text).toContain('sluice_cluster_workers{namespace="ns",ingestion_cluster="docs",state="max"} 10');
    expect(text).toContain('sluice_job_documents{namespace="ns",ingestion_job="handbooks",ingestion_cluster="docs",state="succeeded"} 1');
    leading = false;
    expect(await registry.metrics()).not.toMatch(/^sluice_(cluster|job)_\w+\{/m);
  });
});
