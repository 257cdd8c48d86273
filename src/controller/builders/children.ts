// Everything an IngestionCluster owns, as plain objects to server-side apply. Pure.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { buildApiDeployment, buildApiPodDisruptionBudget, buildApiService, type BuildContext } from './api.ts';
import { buildConfigMap } from './config.ts';
import { buildNetworkPolicies } from './network-policies.ts';
import { buildRedisService, buildRedisStatefulSet } from './redis.ts';
import { buildServiceAccount } from './service-accounts.ts';
import { buildWorkerDeployment } from './worker.ts';

export function buildChildren(cluster: IngestionCluster, ctx: BuildContext & { builtinDesired?: number }): KubernetesObject[] {
  const managedRedis = cluster.spec.redis.mode === 'Managed';
  return [
    buildConfigMap(cluster),
    buildServiceAccount(cluster, 'api'),
    buildServiceAccount(cluster, 'worker'),
    ...(managedRedis ? [buildServiceAccount(cluster, 'redis'), buildRedisService(cluster), buildRedisStatefulSet(cluster)] : []),
    buildApiService(cluster),
    buildApiDeployment(cluster, ctx),
    buildApiPodDisruptionBudget(cluster),
    buildWorkerDeployment(cluster, ctx),
    ...buildNetworkPolicies(cluster),
  ];
}
