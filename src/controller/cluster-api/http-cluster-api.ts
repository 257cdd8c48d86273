// The ClusterApi over HTTP with the operator's key; every request has a timeout and is reported
// by operation and outcome.
import type { JobSpec } from '../../shared/jobs/job-spec.ts';
import { ClusterApiError, ClusterApiUnavailable, type ClusterApi, type DeleteOutcome, type JobView, type QueueView } from './cluster-api.ts';

export interface HttpClusterApiOptions {
  baseUrl: string;
  key: string;
  timeoutMs?: number;
  /** Called after every request with the operation and its outcome (status or error name). */
  onResult?: (operation: string, outcome: string) => void;
  fetch?: typeof fetch;
}

export class HttpClusterApi implements ClusterApi {
  private readonly options: HttpClusterApiOptions;

  constructor(options: HttpClusterApiOptions) {
    this.options = options;
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
    const url = `${this.options.baseUrl}${path}`;
    let r: Response;
    try {
      r = await (this.options.fetch ?? fetch)(url, {
        method,
        headers: { authorization: `Bearer ${this.options.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      this.options.onResult?.(operation, 'ClusterApiUnavailable');
      throw new ClusterApiUnavailable(`${method} ${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`, { cause: err });
    }
    this.options.onResult?.(operation, String(r.status));
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
