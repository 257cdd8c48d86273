// The cluster controller's one write to an IngestionCluster: its status.
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../crd/common.ts';
import type { IngestionCluster, IngestionClusterStatus } from '../../crd/ingestion-cluster.ts';
import { errorMessage, isConflict, StatusConflictError, StatusWriteError } from '../runtime/errors.ts';
import { JSON_PATCH, kubeRequests, objectPath } from '../runtime/kube-requests.ts';

export type ClusterStatusWriter = (cluster: IngestionCluster, status: IngestionClusterStatus) => Promise<void>;

/**
 * Replaces the whole status through the /status subresource (a field left out is removed, which
 * a merge patch would keep), as a JSON patch whose first operation tests the resourceVersion
 * the status was computed from.
 */
export function clusterStatusWriter(kc: KubeConfig): ClusterStatusWriter {
  const request = kubeRequests(kc);
  return async (cluster, status) => {
    try {
      await request('PATCH', objectPath(`${GROUP}/${VERSION}`, 'ingestionclusters', cluster.metadata.namespace!, cluster.metadata.name!, 'status'), {
        contentType: JSON_PATCH,
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: cluster.metadata.resourceVersion },
          { op: 'add', path: '/status', value: status },
        ],
      });
    } catch (err) {
      if (isConflict(err)) throw new StatusConflictError(`status of ${cluster.metadata.name} changed underneath us`, { cause: err });
      throw new StatusWriteError(`writing status of ${cluster.metadata.name}: ${errorMessage(err)}`, { cause: err });
    }
  };
}
