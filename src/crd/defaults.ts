// The apiserver's defaulting, done locally from the same schemas (for tests and tools that
// build objects without an apiserver).
import { Value } from '@sinclair/typebox/value';
import { API_VERSION } from './common.ts';
import { ingestionClusterSpec, type IngestionCluster } from './ingestion-cluster.ts';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function defaultedCluster(name: string, namespace: string, spec: DeepPartial<IngestionCluster['spec']>, uid = 'uid-1'): IngestionCluster {
  return {
    apiVersion: API_VERSION as IngestionCluster['apiVersion'],
    kind: 'IngestionCluster',
    metadata: { name, namespace, uid, generation: 1 },
    spec: Value.Default(ingestionClusterSpec, structuredClone(spec)) as IngestionCluster['spec'],
  };
}
