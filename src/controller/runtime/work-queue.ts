// A work queue like client-go's: keys are deduplicated, a key is processed by at most one worker
// at a time (a key added while processing is processed again afterwards), failures back off per
// key exponentially, and a handler may ask for a key to come back after a delay.
import { exponentialDelay } from '../../shared/backoff.ts';

export interface QueueOptions {
  /** Parallel workers (different keys only). */
  concurrency?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export type Handler<K extends string = string> = (key: K) => Promise<{ requeueAfterMs?: number } | void>;

/** K: the key type, e.g. ObjectKey<'IngestionJob'>, so one controller's keys cannot reach another. */
export class WorkQueue<K extends string = string> {
  private readonly queue: K[] = [];
  private readonly queued = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly dirty = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly timers = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private readonly idle: (() => void)[] = [];
  private running = false;
  private active = 0;
  private readonly handler: Handler<K>;
  private readonly onError: (key: K, err: unknown, retryInMs: number) => void;
  private readonly concurrency: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(handler: Handler<K>, onError: (key: K, err: unknown, retryInMs: number) => void, opts: QueueOptions = {}) {
    this.handler = handler;
    this.onError = onError;
    this.concurrency = opts.concurrency ?? 4;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
  }

  /** Keys waiting (not counting those in flight or scheduled for later). */
  get depth(): number {
    return this.queue.length;
  }

  add(key: K): void {
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Adds the key after `ms`, unless an earlier add for it is already scheduled. */
  addAfter(key: K, ms: number): void {
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  start(): void {
    this.running = true;
    this.pump();
  }

  /** Stops taking keys and waits for those in flight. Queued keys stay for a later start(). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.active > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  shutdown(): void {
    this.running = false;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
  }

  private pump(): void {
    while (this.running && this.active < this.concurrency && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.active++;
      void this.process(key);
    }
  }

  private async process(key: K): Promise<void> {
    try {
      const result = await this.handler(key);
      this.failures.delete(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      const delay = exponentialDelay(n, this.baseDelayMs, this.maxDelayMs);
      this.onError(key, err, delay);
      this.addAfter(key, delay);
    } finally {
      this.processing.delete(key);
      this.active--;
      if (this.dirty.delete(key)) this.add(key);
      if (this.active === 0) for (const r of this.idle.splice(0)) r();
      this.pump();
    }
  }
}
