// Wires informers, the work queue, leader election and the reconciler into one controller.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { KubernetesObjectApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION } from '../crd/common.ts';
import type { IngestionCluster } from '../crd/ingestion-cluster.ts';
import { Applier } from './apply.ts';
import { reconcileCluster, statusWriter, type ClusterReconcilerDeps } from './cluster-reconciler.ts';
import { DEFAULT_IMAGE, FIELD_MANAGER, LABEL_INSTANCE, LABEL_MANAGED_BY } from './constants.ts';
import { errorName, StatusConflictError } from './errors.ts';
import { EventRecorder } from './events.ts';
import { startHttpServer } from './http-server.ts';
import { ResilientInformer, type Logger } from './informer.ts';
import { LeaderElector } from './leader-election.ts';
import { createMetrics } from './metrics.ts';
import type { OpsServer } from '../shared/ops-server.ts';
import { SecretProbe } from './secrets.ts';
import { WorkQueue } from './work-queue.ts';

export interface ManagerOptions {
  kc: KubeConfig;
  log: Logger;
  image?: string;
  /** Port of /healthz, /readyz, /metrics; 0 picks a free one. */
  httpPort?: number;
  httpHost?: string;
  leaderElection?: { namespace: string; name?: string; identity?: string; leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number } | false;
  resyncMs?: number;
  concurrency?: number;
  /** Watch one namespace only; all namespaces when left out. */
  namespace?: string;
}

type AnyInformer = ResilientInformer<KubernetesObject>;

/** The kinds an IngestionCluster owns: [apiVersion, kind, plural]. */
const CHILD_KINDS = [
  ['v1', 'ConfigMap', 'configmaps'],
  ['v1', 'ServiceAccount', 'serviceaccounts'],
  ['v1', 'Service', 'services'],
  ['apps/v1', 'Deployment', 'deployments'],
  ['apps/v1', 'StatefulSet', 'statefulsets'],
  ['policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'],
] as const;

export class Manager {
  readonly metrics = createMetrics();
  private readonly o: ManagerOptions;
  private readonly clusters: ResilientInformer<IngestionCluster>;
  private readonly children = new Map<string, AnyInformer>();
  private readonly queue: WorkQueue;
  private readonly elector: LeaderElector | undefined;
  private readonly deps: ClusterReconcilerDeps;
  private server: OpsServer | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private leading = false;

  constructor(o: ManagerOptions) {
    this.o = o;
    const { kc, log } = o;
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const health = (resource: string) => (up: boolean) => this.metrics.informerUp.set({ resource }, up ? 1 : 0);
    const ns = o.namespace;
    const path = (apiVersion: string, plural: string) =>
      `${apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`}${ns ? `/namespaces/${ns}` : ''}/${plural}`;
    const lister = <T extends KubernetesObject>(apiVersion: string, kind: string, labelSelector?: string) => () =>
      objects.list(apiVersion, kind, ns, undefined, undefined, undefined, undefined, labelSelector) as Promise<KubernetesListObject<T>>;

    this.clusters = new ResilientInformer<IngestionCluster>(
      kc,
      'ingestionclusters',
      path(API_VERSION, 'ingestionclusters'),
      lister<IngestionCluster>(API_VERSION, 'IngestionCluster'),
      { log, onHealth: health('ingestionclusters') },
    );
    const enqueue = (obj: KubernetesObject) => this.queue.add(`${obj.metadata!.namespace}/${obj.metadata!.name}`);
    for (const verb of ['add', 'update', 'delete'] as const) this.clusters.on(verb, enqueue);

    const selector = `${LABEL_MANAGED_BY}=${FIELD_MANAGER}`;
    for (const [apiVersion, kind, plural] of CHILD_KINDS) {
      const inf = new ResilientInformer<KubernetesObject>(kc, kind, path(apiVersion, plural), lister(apiVersion, kind, selector), {
        labelSelector: selector,
        log,
        onHealth: health(kind),
      });
      const owner = (obj: KubernetesObject) => {
        const ref = obj.metadata?.ownerReferences?.find((r) => r.kind === 'IngestionCluster' && r.controller);
        const name = ref?.name ?? obj.metadata?.labels?.[LABEL_INSTANCE];
        if (name) this.queue.add(`${obj.metadata!.namespace}/${name}`);
      };
      for (const verb of ['add', 'update', 'delete'] as const) inf.on(verb, owner);
      this.children.set(kind, inf);
    }

    this.queue = new WorkQueue(
      (key) => this.reconcile(key),
      (key, err, retryInMs) => log.error('reconcile failed', { key, error: err instanceof Error ? err.message : String(err), errorType: errorName(err), retryInMs }),
      { concurrency: o.concurrency ?? 4 },
    );

    const identity = (o.leaderElection && o.leaderElection.identity) || `${hostname()}-${randomBytes(4).toString('hex')}`;
    this.deps = {
      getCluster: (ns, name) => this.clusters.get(name, ns),
      getChild: (kind, ns, name) => this.children.get(kind)?.get(name, ns),
      applier: new Applier(kc, (kind) => this.metrics.applies.inc({ kind })),
      secrets: new SecretProbe(kc),
      writeStatus: statusWriter(kc),
      events: new EventRecorder(kc, log, identity),
      image: o.image ?? DEFAULT_IMAGE,
      now: () => new Date(),
      randomPassword: () => randomBytes(24).toString('hex'),
    };

    if (o.leaderElection) {
      this.elector = new LeaderElector(kc, {
        ...o.leaderElection,
        name: o.leaderElection.name ?? 'sluice-operator',
        identity,
        onStartedLeading: () => this.startLeading(),
        onStoppedLeading: () => void this.stopLeading(),
        log,
      });
    }
  }

  get ready(): boolean {
    return this.clusters.isHealthy && [...this.children.values()].every((i) => i.isHealthy);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  get httpPort(): number | undefined {
    return this.server?.port;
  }

  private async reconcile(key: string) {
    const end = this.metrics.reconcileSeconds.startTimer({ controller: 'ingestioncluster' });
    try {
      const r = await reconcileCluster(this.deps, key);
      end({ result: 'success' });
      this.metrics.reconciles.inc({ controller: 'ingestioncluster', result: 'success' });
      return r;
    } catch (err) {
      if (err instanceof StatusConflictError) {
        // Our cache is behind our own last write: wait for the watch to catch up, no backoff.
        end({ result: 'conflict' });
        this.metrics.reconciles.inc({ controller: 'ingestioncluster', result: 'conflict' });
        this.metrics.errors.inc({ controller: 'ingestioncluster', error: errorName(err) });
        return { requeueAfterMs: 250 };
      }
      end({ result: 'error' });
      this.metrics.reconciles.inc({ controller: 'ingestioncluster', result: 'error' });
      this.metrics.errors.inc({ controller: 'ingestioncluster', error: errorName(err) });
      throw err;
    } finally {
      this.metrics.queueDepth.set({ controller: 'ingestioncluster' }, this.queue.depth);
    }
  }

  async start(): Promise<void> {
    this.server = await startHttpServer(this.o.httpPort ?? 8081, () => this.ready, this.metrics.registry, this.o.httpHost);
    await Promise.all([this.clusters.start(), ...[...this.children.values()].map((i) => i.start())]);
    if (this.elector) this.elector.start();
    else this.startLeading();
    const resync = this.o.resyncMs ?? 10 * 60_000;
    this.resyncTimer = setInterval(() => {
      for (const c of this.clusters.list()) this.queue.add(`${c.metadata.namespace}/${c.metadata.name}`);
    }, resync);
    this.resyncTimer.unref();
  }

  private startLeading(): void {
    this.leading = true;
    this.metrics.leader.set(1);
    for (const c of this.clusters.list()) this.queue.add(`${c.metadata.namespace}/${c.metadata.name}`);
    this.queue.start();
  }

  private async stopLeading(): Promise<void> {
    this.leading = false;
    this.metrics.leader.set(0);
    await this.queue.stop();
  }

  /** Graceful stop: finish in-flight reconciles, release the lease, stop watching. */
  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    await this.queue.stop();
    this.queue.shutdown();
    await this.elector?.release();
    this.leading = false;
    await Promise.all([this.clusters.stop(), ...[...this.children.values()].map((i) => i.stop())]);
    await this.server?.close();
  }
}
