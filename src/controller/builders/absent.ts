// A builder's answer "this object must not exist" (CloudNativePG's specs returning nil): the
// reconciler deletes an object so named if it exists and this cluster controls it. Pure.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';

export interface Absent {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  absent: true;
}

/** Per kind and name the operator may own: the object it wants, or that it wants none. */
export type Child = KubernetesObject | Absent;

export const isAbsent = (c: Child): c is Absent => (c as Partial<Absent>).absent === true;

/** `build()` when `wanted`, else the marker naming the object `build()` would have made. */
export function presentIf<T extends KubernetesObject>(wanted: boolean, cluster: IngestionCluster, build: () => T): T | Absent {
  const obj = build();
  if (wanted) return obj;
  return { apiVersion: obj.apiVersion!, kind: obj.kind!, metadata: { name: obj.metadata!.name!, namespace: cluster.metadata.namespace! }, absent: true };
}
