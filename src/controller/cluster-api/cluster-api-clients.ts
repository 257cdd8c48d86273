// A client of a cluster's API with the operator's key, for any controller: the key read from
// `<cluster>-operator-key` (remembered, forgotten when the API refuses it), every request
// counted by operation and outcome.
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { HttpClusterApi } from './http-cluster-api.ts';
import type { ControllerContext } from '../runtime/controller.ts';
import { kubeRefReader } from '../runtime/ref-reader.ts';
import { OperatorKeys } from './operator-keys.ts';
import { type ClusterApi, clusterApiUrl } from './cluster-api.ts';

/** undefined while the cluster has no operator key Secret. */
export type ClusterApis = (cluster: IngestionCluster) => Promise<ClusterApi | undefined>;

export function clusterApis(ctx: ControllerContext, timeoutMs = 10_000): ClusterApis {
  const keys = new OperatorKeys(kubeRefReader(ctx.kc));
  return async (cluster) => {
    const key = await keys.get(cluster);
    if (!key) return undefined;
    return new HttpClusterApi({
      baseUrl: clusterApiUrl(cluster, ctx.clusterApiUrl),
      key,
      timeoutMs,
      onResult: (operation, outcome) => {
        ctx.metrics.clusterApiRequests.inc({ operation, outcome });
        if (outcome === '401') keys.forget(cluster);
      },
    });
  };
}
