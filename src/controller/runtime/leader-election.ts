// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the holder renews
// every retry period; others take over once they have seen the same record unchanged for a full
// lease duration (by their own clock, so clock skew between replicas does not matter). Every
// write is guarded by resourceVersion, so two candidates cannot both win.
import { V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { httpStatus } from './errors.ts';
import { kubeRequests, objectPath, type KubeRequest } from './kube-requests.ts';
import type { Logger } from '../../shared/logger.ts';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log: Logger;
}

export class LeaderElector {
  private readonly request: KubeRequest;
  private readonly options: Required<LeaderElectionOptions>;
  private observedRecord = '';
  private observedAt = 0;
  private lastRenew = 0;
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(kc: KubeConfig, opts: LeaderElectionOptions) {
    this.request = kubeRequests(kc);
    this.options = {
      ...opts,
      leaseDurationMs: opts.leaseDurationMs ?? 15_000,
      renewDeadlineMs: opts.renewDeadlineMs ?? 10_000,
      retryPeriodMs: opts.retryPeriodMs ?? 2_000,
    };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    void this.loop();
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      this.options.log.error('lease update failed', { error: err instanceof Error ? err.message : String(err) });
    }
    if (ok) {
      this.lastRenew = Date.now();
      if (!this.leading) {
        this.leading = true;
        this.options.log.info('became leader', { lease: `${this.options.namespace}/${this.options.name}`, identity: this.options.identity });
        this.options.onStartedLeading();
      }
    } else if (this.leading && Date.now() - this.lastRenew > this.options.renewDeadlineMs) {
      this.leading = false;
      this.options.log.error('lost the lease', { identity: this.options.identity });
      this.options.onStoppedLeading();
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.loop(), this.options.retryPeriodMs);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new V1MicroTime();
    const durationSeconds = Math.round(this.options.leaseDurationMs / 1000);
    let lease: V1Lease;
    try {
      lease = await this.readLease();
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
      await this.request('POST', objectPath('coordination.k8s.io/v1', 'leases', this.options.namespace), {
        body: {
          metadata: { name: this.options.name, namespace: this.options.namespace },
          spec: { holderIdentity: this.options.identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
        } satisfies V1Lease,
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = Date.now();
    }
    const holder = spec.holderIdentity ?? '';
    const heldByUs = holder === this.options.identity;
    const expired = !holder || this.observedAt + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 < Date.now();
    if (!heldByUs && !expired) return false;
    lease.spec = {
      ...spec,
      holderIdentity: this.options.identity,
      leaseDurationSeconds: durationSeconds,
      renewTime: now,
      ...(heldByUs ? {} : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
    };
    try {
      await this.replaceLease(lease);
    } catch (err) {
      if (httpStatus(err) === 409) return false; // someone else wrote first
      throw err;
    }
    return true;
  }

  private readLease(): Promise<V1Lease> {
    return this.request<V1Lease>('GET', objectPath('coordination.k8s.io/v1', 'leases', this.options.namespace, this.options.name));
  }

  private replaceLease(lease: V1Lease): Promise<unknown> {
    return this.request('PUT', objectPath('coordination.k8s.io/v1', 'leases', this.options.namespace, this.options.name), { body: lease });
  }

  /** Stops campaigning; if leading, gives the lease up so a standby takes over at once. */
  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.readLease();
      if (lease.spec?.holderIdentity !== this.options.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime() };
      await this.replaceLease(lease);
      this.options.log.info('released the lease', { identity: this.options.identity });
    } catch (err) {
      this.options.log.error('could not release the lease', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
