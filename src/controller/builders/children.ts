// Everything an IngestionCluster may own, as plain objects to server-side apply, or as markers
// of objects that must not exist under this spec (which the reconciler deletes). Pure.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { isAbsent, presentIf, type Child } from './absent.ts';
import { buildApiDeployment, buildApiPodDisruptionBudget, buildApiService, type BuildContext } from './api.ts';
import { buildApiHttpRoute } from './api-http-route.ts';
import { buildApiIngress } from './api-ingress.ts';
import { buildConfigMap } from './config.ts';
import { childName } from './names.ts';
import { buildNetworkPolicies } from './network-policies.ts';
import { buildRedisService, buildRedisStatefulSet } from './redis.ts';
import { buildScaledObject } from './scaled-object.ts';
import { buildServiceAccount } from './service-accounts.ts';
import { buildTriggerAuthentication } from './trigger-authentication.ts';
import { buildWorkerDeployment } from './worker.ts';

/**
 * One entry per kind and name the cluster may own, whatever its spec: switching a mode turns
 * entries into absent markers rather than dropping them, so nothing is left behind. The Redis
 * password Secret is not among them: it is created once, kept with Redis's volume (see README).
 */
export function buildChildPlan(cluster: IngestionCluster, ctx: BuildContext & { builtinDesired?: number }): Child[] {
  const managedRedis = cluster.spec.redis.mode === 'Managed';
  const redis = <T extends KubernetesObject>(build: () => T) => presentIf(managedRedis, cluster, build);
  // Suspended too: the ScaledObject then carries KEDA's pause at 0 rather than being deleted, so
  // KEDA keeps its state and a resume is one annotation removed (scaled-object.ts).
  const keda = <T extends KubernetesObject>(build: () => T) => presentIf(cluster.spec.autoscaling.mode === 'KEDA', cluster, build);
  return [
    buildConfigMap(cluster),
    buildServiceAccount(cluster, 'api'),
    buildServiceAccount(cluster, 'worker'),
    redis(() => buildServiceAccount(cluster, 'redis')),
    redis(() => buildRedisService(cluster)),
    redis(() => buildRedisStatefulSet(cluster)),
    buildApiService(cluster),
    buildApiIngress(cluster),
    buildApiHttpRoute(cluster),
    buildApiDeployment(cluster, ctx),
    buildApiPodDisruptionBudget(cluster),
    buildWorkerDeployment(cluster, ctx),
    keda(() => buildTriggerAuthentication(cluster)),
    keda(() => buildScaledObject(cluster)),
    // The Redis policy admits traffic to Redis pods, which External mode does not run.
    ...buildNetworkPolicies(cluster).map((p) => (p.metadata!.name === childName(cluster, 'redis') ? redis(() => p) : p)),
  ];
}

/** The children that must exist. */
export function buildChildren(cluster: IngestionCluster, ctx: BuildContext & { builtinDesired?: number }): KubernetesObject[] {
  return buildChildPlan(cluster, ctx).filter((c) => !isAbsent(c));
}
