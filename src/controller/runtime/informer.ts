// What a controller reads of a kind: its cache and its events, over all the namespaces watched.
import type { KubernetesObject } from '@kubernetes/client-node';

export interface Informer<T extends KubernetesObject> {
  on(verb: 'add' | 'update' | 'delete', cb: (obj: T) => void): void;
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): readonly T[];
  /** Watching (every namespace of it, where there are several). */
  readonly isHealthy: boolean;
  /** An optional kind the apiserver does not serve. */
  readonly isNotServed: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}
