// A cluster's worker pods, read and annotated only when the Builtin autoscaler lowers replicas:
// it sets each pod's deletion cost (autoscaling/deletion-costs.ts) first, so the ReplicaSet
// controller removes idle workers and keeps busy ones. Listed on demand, never watched.
import type { KubeConfig, V1Pod, V1PodList } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { POD_DELETION_COST } from '../autoscaling/deletion-costs.ts';
import { selectorLabels } from '../builders/names.ts';
import { FIELD_MANAGER } from '../constants.ts';
import { httpStatus } from '../runtime/errors.ts';
import { APPLY_PATCH, kubeRequests, objectPath } from '../runtime/kube-requests.ts';

export interface WorkerPods {
  /** The worker pods that exist and are not being deleted, with their current cost. */
  list(cluster: IngestionCluster): Promise<{ name: string; created: number; cost?: string }[]>;
  /** Sets the cost annotation of each named pod; a pod that has gone meanwhile is skipped. */
  setDeletionCosts(cluster: IngestionCluster, costs: Record<string, string>): Promise<number>;
}

export function workerPods(kc: KubeConfig): WorkerPods {
  const request = kubeRequests(kc);
  return {
    async list(cluster) {
      const selector = Object.entries(selectorLabels(cluster, 'worker'))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const pods = await request<V1PodList>('GET', objectPath('v1', 'pods', cluster.metadata.namespace!), { query: { labelSelector: selector } });
      return pods.items
        .filter((p: V1Pod) => !p.metadata?.deletionTimestamp)
        .map((p) => ({
          name: p.metadata!.name!,
          created: new Date(p.metadata?.creationTimestamp ?? 0).getTime(),
          ...(p.metadata?.annotations?.[POD_DELETION_COST] === undefined ? {} : { cost: p.metadata.annotations[POD_DELETION_COST] }),
        }));
    },
    async setDeletionCosts(cluster, costs) {
      let set = 0;
      const namespace = cluster.metadata.namespace!;
      await Promise.all(
        Object.entries(costs).map(async ([name, cost]) => {
          try {
            // Server-side apply of the one annotation, under the operator's one field manager. A
            // pod deleted meanwhile would be "created" from this and refused as invalid: skip it.
            await request('PATCH', objectPath('v1', 'pods', namespace, name), {
              query: { fieldManager: FIELD_MANAGER, force: true },
              contentType: APPLY_PATCH,
              body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, annotations: { [POD_DELETION_COST]: cost } } },
            });
            set++;
          } catch (err) {
            if (![404, 409, 422].includes(httpStatus(err) ?? 0)) throw err;
          }
        }),
      );
      return set;
    },
  };
}
