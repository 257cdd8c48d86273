// A small typed client of one IngestionCluster's HTTP API (docs/jobs.md), with the operator's
// key. Failures are typed, and their names are metric labels: ClusterApiUnavailable (no answer,
// or the API says it cannot serve now) and ClusterApiError (an answer refusing the request).
import type { IngestionCluster } from '../crd/ingestion-cluster.ts';
import type { JobSpec, JobState } from '../shared/jobs/job-spec.ts';
import { fillTemplate } from './config.ts';
import { ControllerError } from './errors.ts';

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

export interface HttpClusterApiOptions {
  baseUrl: string;
  key: string;
  timeoutMs?: number;
  /** Called after every request with the operation and its outcome (status or error name). */
  onResult?: (operation: string, outcome: string) => void;
  fetch?: typeof fetch;
}

export class HttpClusterApi implements ClusterApi {
  private readonly o: HttpClusterApiOptions;

  constructor(o: HttpClusterApiOptions) {
    this.o = o;
  }

  async getJob(id: string): Promise<JobView | undefined> {
    const r = await this.call('getJob', 'GET', `/v1/jobs/${encodeURIComponent(id)}`, undefined, [404]);
    return r.status === 404 ? undefined : ((await r.json()) as { job: JobView }).job;
  }

  async putJob(id: string, body: JobSpec): Promise<JobView> {
    const r = await this.call('putJob', 'PUT', `/v1/jobs/${encodeURIComponent(id)}`, body);
    return ((await r.json()) as { job: JobView }).job;
  }

  async deleteJob(id: string, purge: boolean): Promise<DeleteOutcome> {
    const r = await this.call('deleteJob', 'DELETE', `/v1/jobs/${encodeURIComponent(id)}?purge=${purge}`, undefined, [404]);
    if (r.status === 202) return { done: false, remaining: ((await r.json()) as { remaining?: number }).remaining ?? 0 };
    await r.body?.cancel();
    return { done: true };
  }

  async queue(): Promise<QueueView> {
    return (await (await this.call('queue', 'GET', '/v1/queue')).json()) as QueueView;
  }

  async drainWorkers(ids: readonly string[]): Promise<void> {
    await (await this.call('drainWorkers', 'PUT', '/v1/workers/drain', { workers: ids })).body?.cancel();
  }

  private async call(operation: string, method: string, path: string, body?: unknown, accept: number[] = []): Promise<Response> {
    const url = `${this.o.baseUrl}${path}`;
    let r: Response;
    try {
      r = await (this.o.fetch ?? fetch)(url, {
        method,
        headers: { authorization: `Bearer ${this.o.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
    } catch (err) {
      this.o.onResult?.(operation, 'ClusterApiUnavailable');
      throw new ClusterApiUnavailable(`${method} ${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`, { cause: err });
    }
    this.o.onResult?.(operation, String(r.status));
    if (r.ok || accept.includes(r.status)) return r;
    const text = await r.text().catch(() => '');
    let code: string | undefined;
    let message = text.slice(0, 512);
    try {
      const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
      code = e?.code;
      message = e?.message ?? message;
    } catch {
      // not JSON
    }
    if ([502, 503, 504].includes(r.status)) throw new ClusterApiUnavailable(`${method} ${url}: ${r.status} ${message}`);
    throw new ClusterApiError(r.status, code, `${method} ${path}: ${r.status}${code ? ` ${code}` : ''}: ${message}`);
  }
}
