// Runs a list of controllers: shares their informers, leader election, the ops listener
// (/healthz, /readyz, /metrics) and metrics labelled by controller. Only the leader reconciles;
// on becoming leader and on every resync, each controller enqueues all objects of its kind.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.ts';
import type { OpsServer } from '../../shared/ops-server.ts';
import type { ControllerContext, ControllerFactory, RunnableController } from './controller.ts';
import { EventRecorder } from './event-recorder.ts';
import { startHttpServer } from './ops-http-server.ts';
import { SharedInformers } from './shared-informers.ts';
import { LeaderElector } from './leader-election.ts';
import { createMetrics } from './metrics.ts';

export interface ManagerOptions {
  kc: KubeConfig;
  log: Logger;
  /** The operator's own image, for children whose spec names none. */
  image: string;
  /** Port of /healthz, /readyz, /metrics; 0 picks a free one. */
  httpPort?: number;
  httpHost?: string;
  leaderElection?: { namespace: string; name?: string; identity?: string; leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number } | false;
  resyncMs?: number;
  /** Watch one namespace only; all namespaces when left out. */
  namespace?: string;
  /** Watch these namespaces only (the RBAC of namespaced mode); overrides namespace. */
  namespaces?: readonly string[];
  /** The controllers to run. */
  controllers: ControllerFactory[];
  /**
   * Where clusters' APIs are reached instead of http://<cluster>-api.<namespace>.svc:<port>: a URL
   * that may contain {namespace} and {name} (SLUICE_CLUSTER_API_URL), for local runs and tests.
   */
  clusterApiUrl?: string;
  /** Injectable clock of every controller. */
  now?: () => Date;
}

export class Manager {
  readonly metrics = createMetrics();
  private readonly options: ManagerOptions;
  readonly informers: SharedInformers;
  private readonly controllers: RunnableController[];
  private readonly elector: LeaderElector | undefined;
  private server: OpsServer | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private leading = false;

  constructor(options: ManagerOptions) {
    this.options = options;
    const { kc, log } = options;
    this.informers = new SharedInformers({
      kc,
      log,
      ...(options.namespaces ? { namespaces: options.namespaces } : options.namespace ? { namespaces: [options.namespace] } : {}),
      onHealth: (resource, up) => this.metrics.informerUp.set({ resource }, up ? 1 : 0),
    });
    const identity = (options.leaderElection && options.leaderElection.identity) || `${hostname()}-${randomBytes(4).toString('hex')}`;
    const ctx: ControllerContext = {
      kc,
      log,
      metrics: this.metrics,
      informers: this.informers,
      events: new EventRecorder(kc, log, identity),
      image: options.image,
      ...(options.clusterApiUrl ? { clusterApiUrl: options.clusterApiUrl } : {}),
      now: options.now ?? (() => new Date()),
    };
    this.controllers = options.controllers.map((make) => make(ctx));

    if (options.leaderElection) {
      this.elector = new LeaderElector(kc, {
        ...options.leaderElection,
        name: options.leaderElection.name ?? 'sluice-operator',
        identity,
        onStartedLeading: () => this.startLeading(),
        onStoppedLeading: () => void this.stopLeading(),
        log,
      });
    }
  }

  /** Every informer is watching. */
  get ready(): boolean {
    return this.informers.healthy;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  get httpPort(): number | undefined {
    return this.server?.port;
  }

  async start(): Promise<void> {
    this.server = await startHttpServer(this.options.httpPort ?? 8081, () => this.ready, this.metrics.registry, this.options.httpHost);
    await this.informers.start();
    if (this.elector) this.elector.start();
    else this.startLeading();
    this.resyncTimer = setInterval(() => this.controllers.forEach((c) => c.enqueueAll()), this.options.resyncMs ?? 10 * 60_000);
    this.resyncTimer.unref();
  }

  private startLeading(): void {
    this.leading = true;
    this.metrics.leader.set(1);
    for (const c of this.controllers) {
      c.enqueueAll();
      c.start();
    }
  }

  private async stopLeading(): Promise<void> {
    this.leading = false;
    this.metrics.leader.set(0);
    await Promise.all(this.controllers.map((c) => c.stop()));
  }

  /** Graceful stop: finish in-flight reconciles, release the lease, stop watching. */
  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    await Promise.all(this.controllers.map((c) => c.stop()));
    this.controllers.forEach((c) => c.shutdown());
    await this.elector?.release();
    this.leading = false;
    await this.informers.stop();
    await this.server?.close();
  }
}
