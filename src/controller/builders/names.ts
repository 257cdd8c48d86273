// Names and labels of the children of an IngestionCluster. Pure.
import type { V1OwnerReference, V1Service } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { LABEL_COMPONENT, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF, FIELD_MANAGER } from '../constants.ts';

export type Component = 'redis' | 'api' | 'worker';

export const childName = (cluster: IngestionCluster, component: Component | 'config' | 'redis-auth' | 'operator-key' | 'credentials-key' | 'default-deny') =>
  `${cluster.metadata.name}-${component}`;

/** Selector labels: stable for the life of the cluster (a Deployment's selector is immutable). */
export function selectorLabels(cluster: IngestionCluster, component: Component): Record<string, string> {
  return { [LABEL_NAME]: 'sluice', [LABEL_INSTANCE]: cluster.metadata.name!, [LABEL_COMPONENT]: component };
}

export function labels(cluster: IngestionCluster, component: Component | 'config'): Record<string, string> {
  return {
    [LABEL_NAME]: 'sluice',
    [LABEL_INSTANCE]: cluster.metadata.name!,
    [LABEL_COMPONENT]: component,
    [LABEL_PART_OF]: 'sluice',
    [LABEL_MANAGED_BY]: FIELD_MANAGER,
  };
}

function ownerReference(cluster: IngestionCluster): V1OwnerReference {
  return {
    apiVersion: cluster.apiVersion,
    kind: cluster.kind,
    name: cluster.metadata.name!,
    uid: cluster.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function childMeta(cluster: IngestionCluster, name: string, component: Component | 'config') {
  return {
    name,
    namespace: cluster.metadata.namespace!,
    labels: labels(cluster, component),
    ownerReferences: [ownerReference(cluster)],
  };
}

/** A ClusterIP Service in front of one component, its port targeted by name. */
export function clusterIpService(cluster: IngestionCluster, component: Component, portName: string, port: number): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(cluster, childName(cluster, component), component),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(cluster, component),
      ports: [{ name: portName, port, targetPort: portName, protocol: 'TCP' }],
    },
  };
}
