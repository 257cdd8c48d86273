// The worker's Prometheus metrics. Queue depth and oldest-waiting age are read from the queue at
// scrape time, so they are right even when this worker is idle.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';
import { boundedReads } from '../shared/bounded-reads.ts';
import type { OcrStats } from './ocr/ocr-pages.ts';

const QUEUE_READ_DEADLINE_MS = 2_000;

export interface WorkerMetrics {
  registry: Registry;
  documents: Counter<'outcome' | 'error_type'>;
  stageSeconds: Histogram<'stage'>;
  pages: Counter;
  active: Gauge;
  ocrPages: Counter<'outcome'>;
  ocrPageSeconds: Histogram;
}

/** A document's OCR, in the metrics: pages by outcome, seconds a page, and its seconds as the stage `ocr`. */
export function recordOcr(metrics: WorkerMetrics, stats: OcrStats): void {
  if (stats.pages) metrics.ocrPages.inc({ outcome: 'recognised' }, stats.pages);
  if (stats.seconds > 0) metrics.stageSeconds.observe({ stage: 'ocr' }, stats.seconds);
  if (stats.skipped) metrics.ocrPages.inc({ outcome: 'unread' }, stats.skipped);
  for (const seconds of stats.pageSeconds) metrics.ocrPageSeconds.observe(seconds);
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
    help: 'Time spent per document in each stage: download (a job source), fetch (from PostgreSQL), parse, ocr (within parse), chunk, embed, store.',
    labelNames: ['stage'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const pages = new Counter({ name: 'sluice_pages_total', help: 'Pages parsed; rate() of it is pages per second.', registers: [registry] });
  const active = new Gauge({ name: 'sluice_worker_active_documents', help: 'Documents in flight on this worker.', registers: [registry] });
  const ocrPages = new Counter({
    name: 'sluice_ocr_pages_total',
    help: 'Pages without a text layer this worker had recognised, by outcome: recognised, or unread (past the page budget, or failed).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const ocrPageSeconds = new Histogram({
    name: 'sluice_ocr_page_seconds',
    help: 'Time to render and recognise one page.',
    buckets: [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120],
    registers: [registry],
  });
  // A Redis outage must not fail the whole scrape (or hang it: this worker's Redis client waits
  // out outages), so reads are bounded (bounded-reads.ts), and a gauge a read cannot fill says it
  // does not know (no series, or NaN where a gauge without labels must have one) rather than
  // keep old figures.
  const bounded = boundedReads(QUEUE_READ_DEADLINE_MS);
  const fromQueue = async (what: string, read: () => Promise<void>, unknown: () => void) => {
    try {
      await bounded(what, read);
    } catch {
      unknown();
      queueReadErrors.inc();
    }
  };
  new Gauge({
    name: 'sluice_queue_depth',
    help: 'Jobs in the document queue by state.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      await fromQueue(
        'depth',
        async () => {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        },
        () => this.reset(),
      );
    },
  });
  new Gauge({
    name: 'sluice_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting in the queue.',
    registers: [registry],
    async collect() {
      await fromQueue(
        'oldest',
        async () => {
          const [job] = await queue.getJobs(['waiting', 'prioritized'], 0, 0, true);
          this.set(job ? Math.max(0, (Date.now() - job.timestamp) / 1000) : 0);
        },
        () => this.set(NaN),
      );
    },
  });
  // prom-client collects every metric at once, so a scrape shows the failed reads before it.
  const queueReadErrors = new Counter({
    name: 'sluice_queue_read_errors_total',
    help: 'Queue reads that failed or timed out at scrape time (Redis unreachable or slow); the queue gauges then show no depth and NaN age.',
    registers: [registry],
  });
  return { registry, documents, stageSeconds, pages, active, ocrPages, ocrPageSeconds };
}
