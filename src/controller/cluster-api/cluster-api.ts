// What the operator asks of one IngestionCluster's HTTP API (docs/jobs.md), and where it finds it.
// Failures are typed, and their names are metric labels: ClusterApiUnavailable (no answer, or the
// API says it cannot serve now) and ClusterApiError (an answer refusing the request).
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import type { JobSpec, JobState } from '../../shared/jobs/job-spec.ts';
import { fillTemplate } from '../config.ts';
import { ControllerError } from '../runtime/errors.ts';

/** No answer (refused, reset, timed out) or 502/503/504: try again later. */
export class ClusterApiUnavailable extends ControllerError {
  override readonly name = 'ClusterApiUnavailable';
}

/** The API answered and refused: `status` and the API's error `code` say why. */
export class ClusterApiError extends ControllerError {
  override readonly name = 'ClusterApiError';
  readonly status: number;
  readonly code: string | undefined;
  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface JobView {
  id: string;
  collection: string;
  state: JobState;
  reason?: string | null;
  message?: string | null;
  failureTarget?: { reason: string; message: string } | null;
  specHash: string;
  retryNonce?: string | null;
  expansion?: { done: boolean; documents: number };
  counts: { total: number; pending: number; queued: number; active: number; succeeded: number; failed: number; skipped: number };
  pages?: number;
  pagesOcr?: number;
  chunks?: number;
  rate?: number | null;
  etaSeconds?: number | null;
  startTime?: string | null;
  completionTime?: string | null;
  embedding?: { model: string; dimensions: number } | null;
  lastFailures?: { document: string; source?: string | null; errorType?: string | null; message?: string | null; attempts?: number }[];
}

export interface QueueView {
  waiting: number;
  active: number;
  delayed: number;
  /** Delayed documents whose retry time has come (absent from an older API). */
  delayedDue?: number;
  /** IngestionJob documents that could start now, not yet dispatched to the queue. */
  pending?: number;
  /** IngestionJobs whose source list is still being read. */
  expanding?: number;
  /** Pages the workers are recognising now (OCR; absent from an older API). */
  ocrPages?: number;
  failed: number;
  oldestWaitingSeconds?: number | null;
  workers: { id: string; busy: boolean; active?: number; concurrency?: number; lastHeartbeat?: string; draining?: boolean }[];
}

/** DELETE's answer: gone (204, or 404: nothing to delete) or still deleting (202). */
export type DeleteOutcome = { done: true } | { done: false; remaining: number };

export interface ClusterApi {
  getJob(id: string): Promise<JobView | undefined>;
  putJob(id: string, body: JobSpec): Promise<JobView>;
  deleteJob(id: string, purge: boolean): Promise<DeleteOutcome>;
  queue(): Promise<QueueView>;
  /** Asks exactly these workers to drain (an empty list withdraws every request). */
  drainWorkers(ids: readonly string[]): Promise<void>;
}

/**
 * Where the operator reaches a cluster's API: its in-cluster Service, unless the operator-level
 * setting (SLUICE_CLUSTER_API_URL) names another place. No field of any resource can change it.
 */
export function clusterApiUrl(cluster: IngestionCluster, override?: string): string {
  const namespace = cluster.metadata.namespace!;
  const name = cluster.metadata.name!;
  const base = override ? fillTemplate(override, { namespace, name }) : `http://${name}-api.${namespace}.svc:${cluster.spec.api.port}`;
  return base.replace(/\/+$/, '');
}
