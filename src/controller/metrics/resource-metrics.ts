// The samples of resource-samples.ts as gauges of the operator's registry, read from its informers'
// caches at each scrape. Only the leader answers with them: every replica watches, and two
// answering would double each sum over the operator's pods.
import { Gauge, type Registry } from 'prom-client';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import type { IngestionJob } from '../../crd/ingestion-job.ts';
import { RESOURCE_METRICS, clusterSamples, jobSamples, type ResourceMetricName, type Sample } from './resource-samples.ts';

export interface ResourceSource {
  clusters(): readonly IngestionCluster[];
  jobs(): readonly IngestionJob[];
  isLeader(): boolean;
}

export function registerResourceMetrics(registry: Registry, source: ResourceSource): void {
  const samples = (name: ResourceMetricName): Sample[] => {
    if (!source.isLeader()) return [];
    const all = name.startsWith('sluice_job_') ? source.jobs().flatMap(jobSamples) : source.clusters().flatMap(clusterSamples);
    return all.filter((s) => s.name === name);
  };
  for (const [name, def] of Object.entries(RESOURCE_METRICS) as [ResourceMetricName, (typeof RESOURCE_METRICS)[ResourceMetricName]][]) {
    new Gauge({
      name,
      help: def.help,
      labelNames: [...def.labels],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of samples(name)) this.set(s.labels, s.value);
      },
    });
  }
}
