// The worker's Prometheus metrics. Queue depth and oldest-waiting age are read from the queue at
// scrape time, so they are right even when this worker is idle.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';

export interface WorkerMetrics {
  registry: Registry;
  documents: Counter<'outcome' | 'error_type'>;
  stageSeconds: Histogram<'stage'>;
  pages: Counter;
  active: Gauge;
}

export function createWorkerMetrics(queue: Queue): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const documents = new Counter({
    name: 'sluice_documents_total',
    help: 'Documents finished by this worker, by outcome (succeeded, failed, retried, handed_back) and typed error.',
    labelNames: ['outcome', 'error_type'] as const,
    registers: [registry],
  });
  const stageSeconds = new Histogram({
    name: 'sluice_stage_duration_seconds',
    help: 'Time spent per document in each stage (parse, chunk, embed, store).',
    labelNames: ['stage'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const pages = new Counter({ name: 'sluice_pages_total', help: 'Pages parsed; rate() of it is pages per second.', registers: [registry] });
  const active = new Gauge({ name: 'sluice_worker_active_documents', help: 'Documents in flight on this worker.', registers: [registry] });
  new Gauge({
    name: 'sluice_queue_depth',
    help: 'Jobs in the document queue by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'sluice_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting in the queue.',
    registers: [registry],
    async collect() {
      const [job] = await queue.getJobs(['waiting', 'prioritized'], 0, 0, true);
      this.set(job ? Math.max(0, (Date.now() - job.timestamp) / 1000) : 0);
    },
  });
  return { registry, documents, stageSeconds, pages, active };
}
