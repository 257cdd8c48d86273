// An informer that survives: client-node stops an informer on any watch error other than 410,
// so this restarts it with capped backoff and reports whether it is currently watching.
import { ListWatch, Watch, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { exponentialDelay } from '../../shared/backoff.ts';
import type { Logger } from '../../shared/logger.ts';

const WATCH_IDLE_TIMEOUT_MS = 5 * 60_000;

export class ResilientInformer<T extends KubernetesObject> {
  readonly resource: string;
  private readonly informer: Informer<T> & ObjectCache<T>;
  private readonly log: Logger;
  private healthy = false;
  private notServed = false;
  private readonly notServedCheck: ((err: unknown) => boolean) | undefined;
  private stopping = false;
  private failures = 0;
  private healthySince = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly onHealth: (up: boolean) => void;

  constructor(
    kc: KubeConfig,
    resource: string,
    path: string,
    list: () => Promise<KubernetesListObject<T>>,
    opts: {
      labelSelector?: string;
      log: Logger;
      onHealth?: (up: boolean) => void;
      /** What the cache keeps of each object, listed or watched. */
      transform?: (obj: T) => T;
      /** For a kind an add-on may not have installed: true when `err` says the apiserver does not serve it. */
      isNotServed?: (err: unknown) => boolean;
    },
  ) {
    this.resource = resource;
    this.log = opts.log;
    this.notServedCheck = opts.isNotServed;
    this.onHealth = opts.onHealth ?? (() => {});
    // client-node ends a watch after 30 s without an event, so every quiet informer re-watches
    // twice a minute. Five minutes still notices a half-open connection, at a tenth of the cost.
    const watch = new Watch(kc);
    (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = WATCH_IDLE_TIMEOUT_MS;
    const { transform } = opts;
    if (transform) {
      // Before the cache keeps them: listed items and watched objects alike.
      const watchFn = watch.watch.bind(watch);
      watch.watch = (p, query, callback, done) =>
        watchFn(p, query, (phase, obj, raw) => {
          callback(phase, obj && typeof obj === 'object' && phase !== 'ERROR' && phase !== 'BOOKMARK' ? transform(obj as T) : obj, raw);
        }, done);
    }
    const listed = async () => {
      const l = await list();
      if (transform) l.items = l.items.map(transform);
      if (this.notServed) this.log.info('resource now served; watching it', { resource });
      this.notServed = false;
      return l;
    };
    this.informer = new ListWatch<T>(path, watch, listed, false, opts.labelSelector);
    this.informer.on('connect', () => this.setHealthy(true));
    this.informer.on('error', (err) => this.onError(err));
  }

  on(verb: 'add' | 'update' | 'delete', cb: (obj: T) => void): void {
    this.informer.on(verb, cb);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }

  get isHealthy(): boolean {
    return this.healthy;
  }

  /**
   * The apiserver does not serve this (optional) kind: its cache is rightly empty, so this
   * holds up no readiness, and the informer keeps looking for the kind to be installed.
   */
  get isNotServed(): boolean {
    return this.notServed;
  }

  async start(): Promise<void> {
    this.stopping = false;
    await this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.setHealthy(false);
    await this.informer.stop();
  }

  private setHealthy(up: boolean): void {
    if (up && !this.healthy) this.healthySince = Date.now();
    this.healthy = up;
    this.onHealth(up);
  }

  private onError(err: unknown): void {
    // stop() aborts the watch, which reports an AbortError: not a failure.
    if (this.stopping) return;
    // 'connect' fires before the list, so only a watch that held for a while resets the backoff.
    if (this.healthy && Date.now() - this.healthySince > 10_000) this.failures = 0;
    this.setHealthy(false);
    this.failures++;
    const delay = exponentialDelay(this.failures, 500, 30_000);
    const error = err instanceof Error ? err.message : String(err);
    if (this.notServedCheck?.(err)) {
      // An add-on not installed (KEDA) is a normal state: said once, not an error every 30 s.
      if (!this.notServed) this.log.info('resource not served (its CRD is not installed); looking again periodically', { resource: this.resource, error });
      this.notServed = true;
    } else {
      this.log.error('informer stopped; restarting', { resource: this.resource, error, retryInMs: delay });
    }
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.informer.start().catch((e: unknown) => this.onError(e));
    }, delay);
  }
}
