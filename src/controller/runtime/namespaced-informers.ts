// One kind watched in several namespaces, as one informer: an operator installed with Roles in
// those namespaces only (--watch-namespaces) cannot list or watch across all of them, so each
// namespace gets its own watch, and readers see one cache.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Informer } from './informer.ts';

export class NamespacedInformers<T extends KubernetesObject> implements Informer<T> {
  private readonly byNamespace: ReadonlyMap<string, Informer<T>>;

  constructor(byNamespace: ReadonlyMap<string, Informer<T>>) {
    if (byNamespace.size === 0) throw new RangeError('NamespacedInformers needs at least one namespace');
    this.byNamespace = byNamespace;
  }

  on(verb: 'add' | 'update' | 'delete', cb: (obj: T) => void): void {
    for (const inf of this.byNamespace.values()) inf.on(verb, cb);
  }

  get(name: string, namespace?: string): T | undefined {
    if (namespace !== undefined) return this.byNamespace.get(namespace)?.get(name, namespace);
    for (const inf of this.byNamespace.values()) {
      const found = inf.get(name);
      if (found) return found;
    }
    return undefined;
  }

  list(namespace?: string): readonly T[] {
    if (namespace !== undefined) return this.byNamespace.get(namespace)?.list(namespace) ?? [];
    return [...this.byNamespace.values()].flatMap((inf) => inf.list());
  }

  get isHealthy(): boolean {
    return [...this.byNamespace.values()].every((inf) => inf.isHealthy);
  }

  get isNotServed(): boolean {
    return [...this.byNamespace.values()].every((inf) => inf.isNotServed);
  }

  async start(): Promise<void> {
    await Promise.all([...this.byNamespace.values()].map((inf) => inf.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.byNamespace.values()].map((inf) => inf.stop()));
  }
}
