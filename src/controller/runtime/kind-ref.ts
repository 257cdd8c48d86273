// A kind as the runtime needs it: for informers, API paths and server-side apply.
import type { KubernetesObject } from '@kubernetes/client-node';
import { httpStatus } from './errors.ts';

/** A kind, and (as a type) the objects of that kind. */
export interface KindRef<T extends KubernetesObject = KubernetesObject, K extends string = string> {
  apiVersion: string;
  kind: K;
  plural: string;
  /**
   * Served only where an add-on installed its CRD (KEDA's kinds): its informer waits, without
   * holding up readiness, until the apiserver serves it.
   */
  optional?: boolean;
  /**
   * Objects the operator server-side applies: their cache keeps only what it applied, status and
   * spec.replicas (applied-only.ts).
   */
  appliedOnly?: boolean;
  /** Never set: carries T for type inference. */
  readonly _type?: T;
}

export const kindRef = <T extends KubernetesObject, const K extends string>(apiVersion: string, kind: K, plural: string, optional = false): KindRef<T, K> => ({
  apiVersion,
  kind,
  plural,
  ...(optional ? { optional } : {}),
});

export const childKind = (apiVersion: string, kind: string, plural: string, optional = false): KindRef => ({ ...kindRef(apiVersion, kind, plural, optional), appliedOnly: true });

/** The collection path of a kind, in one namespace or all of them. */
export function collectionPath(kind: KindRef, namespace?: string): string {
  const group = kind.apiVersion === 'v1' ? '/api/v1' : `/apis/${kind.apiVersion}`;
  return `${group}${namespace ? `/namespaces/${namespace}` : ''}/${kind.plural}`;
}

/**
 * The apiserver does not serve the kind (an add-on's CRD not installed): client-node's discovery
 * of its group version answered 404, or the group version is served without the kind.
 */
export function kindNotServed(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (httpStatus(err) === 404 && err.message.startsWith('Failed to fetch resource metadata')) || err.message.startsWith('Unrecognized API version and kind');
}
