// One controller: like controller-runtime's NewControllerManagedBy(mgr).For(kind).Owns(child)
// .Watches(other, mapper), or kube-rs's Controller::new(..).owns(..). It owns a work queue of
// its kind's keys; events of its kind, of objects it owns (by controller ownerReference) and of
// watched kinds (through a mapper) enqueue keys; a reconcile runs per key, and its error policy
// decides what a failure means.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.ts';
import { defaultErrorPolicy, type ErrorPolicy } from './error-policy.ts';
import { errorName } from './errors.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { Informer } from './informer.ts';
import type { SharedInformers } from './shared-informers.ts';
import type { KindRef } from './kind-ref.ts';
import type { Metrics } from './metrics.ts';
import { objectKey, parseKey, refOf, type ObjectKey, type ObjectRef } from './object-key.ts';
import { WorkQueue } from './work-queue.ts';

export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface Owned {
  kind: KindRef;
  /** Watch only these children (the controller's own label). */
  labelSelector?: string;
  /** A label naming the owner, for a child whose ownerReference was removed by hand. */
  ownerLabel?: string;
}

export interface Watched {
  kind: KindRef;
  labelSelector?: string;
  /** The objects of this controller's kind that an event of `obj` concerns. */
  map: (obj: KubernetesObject) => ObjectRef[];
}

export interface ControllerSpec<T extends KubernetesObject, K extends string> {
  /** Label of this controller's metrics and logs, e.g. "ingestioncluster". */
  name: string;
  for: KindRef<T, K>;
  owns?: Owned[];
  watches?: Watched[];
  /** Gets the object itself and assumes nothing about why it runs. */
  reconcile: (ref: ObjectRef) => Promise<ReconcileResult>;
  errorPolicy?: ErrorPolicy;
  /** Keys reconciled in parallel (never one key twice at once). */
  concurrency?: number;
}

/** What the manager shares with every controller. */
export interface ControllerRuntime {
  informers: SharedInformers;
  metrics: Metrics;
  log: Logger;
}

export interface RunnableController {
  readonly name: string;
  enqueueAll(): void;
  start(): void;
  stop(): Promise<void>;
  shutdown(): void;
}

const VERBS = ['add', 'update', 'delete'] as const;

export class Controller<T extends KubernetesObject, K extends string> implements RunnableController {
  readonly name: string;
  readonly informer: Informer<T>;
  private readonly spec: ControllerSpec<T, K>;
  private readonly metrics: Metrics;
  private readonly queue: WorkQueue<ObjectKey<K>>;

  constructor(rt: ControllerRuntime, spec: ControllerSpec<T, K>) {
    this.name = spec.name;
    this.spec = spec;
    this.metrics = rt.metrics;
    this.queue = new WorkQueue<ObjectKey<K>>(
      (key) => this.reconcile(key),
      (key, err, retryInMs) =>
        rt.log.error('reconcile failed', { controller: spec.name, key, error: err instanceof Error ? err.message : String(err), errorType: errorName(err), retryInMs }),
      { concurrency: spec.concurrency ?? 4 },
    );

    this.informer = rt.informers.for(spec.for);
    for (const verb of VERBS) this.informer.on(verb, (obj) => this.enqueue(refOf(obj)));

    for (const owned of spec.owns ?? []) {
      const inf = rt.informers.for(owned.kind, owned.labelSelector);
      for (const verb of VERBS) inf.on(verb, (child) => this.enqueueOwner(child, owned));
    }
    for (const watched of spec.watches ?? []) {
      const inf = rt.informers.for(watched.kind, watched.labelSelector);
      for (const verb of VERBS) inf.on(verb, (obj) => watched.map(obj).forEach((ref) => this.enqueue(ref)));
    }
  }

  enqueue(ref: ObjectRef): void {
    this.queue.add(objectKey(this.spec.for.kind, ref));
  }

  private enqueueOwner(child: KubernetesObject, owned: Owned): void {
    const ref = child.metadata?.ownerReferences?.find((r) => r.kind === this.spec.for.kind && r.controller);
    const name = ref?.name ?? (owned.ownerLabel ? child.metadata?.labels?.[owned.ownerLabel] : undefined);
    if (name) this.enqueue({ namespace: child.metadata?.namespace ?? '', name });
  }

  /** Every object of the kind, from the cache (resync, and on becoming leader). */
  enqueueAll(): void {
    for (const obj of this.informer.list()) this.enqueue(refOf(obj));
  }

  start(): void {
    this.queue.start();
  }

  /** Finishes the reconciles in flight; queued keys stay for a later start(). */
  stop(): Promise<void> {
    return this.queue.stop();
  }

  shutdown(): void {
    this.queue.shutdown();
  }

  private async reconcile(key: ObjectKey<K>): Promise<ReconcileResult> {
    const labels = { controller: this.name };
    const end = this.metrics.reconcileSeconds.startTimer(labels);
    try {
      const r = await this.spec.reconcile(parseKey(key));
      end({ result: 'success' });
      this.metrics.reconciles.inc({ ...labels, result: 'success' });
      return r;
    } catch (err) {
      this.metrics.errors.inc({ ...labels, error: errorName(err) });
      const decision = (this.spec.errorPolicy ?? defaultErrorPolicy)(err);
      const result = decision === 'backoff' ? 'error' : decision.result;
      end({ result });
      this.metrics.reconciles.inc({ ...labels, result });
      if (decision === 'backoff') throw err;
      return { requeueAfterMs: decision.requeueAfterMs };
    } finally {
      this.metrics.queueDepth.set(labels, this.queue.depth);
    }
  }
}

/** What a controller factory gets from the manager. */
export interface ControllerContext extends ControllerRuntime {
  kc: KubeConfig;
  events: EventRecorder;
  /** The operator's own image, for children whose spec names none. */
  image: string;
  /** SLUICE_CLUSTER_API_URL: where clusters' APIs are reached instead of their Services. */
  clusterApiUrl?: string;
  now(): Date;
}

export type ControllerFactory = (ctx: ControllerContext) => RunnableController;
