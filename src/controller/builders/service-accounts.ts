// One ServiceAccount per component, without an API token: none of them talks to Kubernetes. Pure.
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { childMeta, childName, type Component } from './names.ts';

export function buildServiceAccount(cluster: IngestionCluster, component: Component): V1ServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: childMeta(cluster, childName(cluster, component), component),
    automountServiceAccountToken: false,
  };
}
