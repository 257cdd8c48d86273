// Existence checks of Secrets by name. The controller may not list or watch Secrets (that would
// let it read every Secret in the cluster), so it GETs the few it is told about, and remembers
// the ones it found for a while so a converged cluster costs no requests.
import type { KubeConfig } from '@kubernetes/client-node';
import { httpStatus, SecretLookupError } from './errors.ts';
import { kubeRequests, objectPath, type KubeRequest } from './kube-requests.ts';

export class SecretProbe {
  private readonly request: KubeRequest;
  private readonly seen = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(kc: KubeConfig, ttlMs = 10 * 60_000, now: () => number = Date.now) {
    this.request = kubeRequests(kc);
    this.ttlMs = ttlMs;
    this.now = now;
  }

  async exists(namespace: string, name: string): Promise<boolean> {
    const key = `${namespace}/${name}`;
    const at = this.seen.get(key);
    if (at !== undefined && this.now() - at < this.ttlMs) return true;
    try {
      await this.request('GET', objectPath('v1', 'secrets', namespace, name));
      this.seen.set(key, this.now());
      return true;
    } catch (err) {
      this.seen.delete(key);
      if (httpStatus(err) === 404) return false;
      throw new SecretLookupError(`reading Secret ${key}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  /** Forget what we know of a Secret (after we created or expect to change it). */
  forget(namespace: string, name: string): void {
    this.seen.delete(`${namespace}/${name}`);
  }
}
