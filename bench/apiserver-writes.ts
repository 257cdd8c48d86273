// What the apiserver alone takes to write what the operator writes for N IngestionClusters:
// each cluster created, its Secrets and children (from the operator's own builders) server-side
// applied, its status written, by a tight client loop with no operator in between. The operator's
// convergence time is judged against this.
import { CustomObjectsApi, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject, type V1Deployment, type V1StatefulSet } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../src/crd/common.ts';
import type { IngestionCluster } from '../src/crd/ingestion-cluster.ts';
import { buildChildren } from '../src/controller/builders/children.ts';
import { buildOperatorKeySecret, buildRedisAuthSecret } from '../src/controller/builders/generated-secrets.ts';
import { clusterStatusWriter } from '../src/controller/cluster/cluster-status-writer.ts';
import { childName } from '../src/controller/builders/names.ts';
import { DEFAULT_IMAGE, FIELD_MANAGER } from '../src/controller/constants.ts';
import { computeClusterStatus } from '../src/controller/status/cluster-status.ts';

export interface DirectWrites {
  ms: number;
  objects: number;
}

/**
 * Writes `clusters` (name → spec) into `namespace` with `concurrency` clusters in flight, each
 * cluster's objects concurrently, as a reconcile does. Returns the wall time and objects written.
 */
export async function writeDirectly(kc: KubeConfig, namespace: string, clusters: Map<string, IngestionCluster['spec']>, concurrency: number): Promise<DirectWrites> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const writeStatus = clusterStatusWriter(kc);
  const apply = <T extends KubernetesObject>(obj: T) => objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  let written = 0;
  const one = async (name: string, spec: IngestionCluster['spec']) => {
    const cluster = (await custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'ingestionclusters',
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'IngestionCluster', metadata: { name }, spec },
    })) as IngestionCluster;
    const wanted = [
      ...(cluster.spec.redis.mode === 'Managed' ? [buildRedisAuthSecret(cluster, 'x'.repeat(48))] : []),
      buildOperatorKeySecret(cluster, `sk_${'0'.repeat(64)}`),
      ...buildChildren(cluster, { image: DEFAULT_IMAGE }),
    ];
    const applied = await Promise.all(wanted.map(apply));
    const find = <T,>(kind: string, component: 'redis' | 'api' | 'worker') => applied.find((o) => o.kind === kind && o.metadata?.name === childName(cluster, component)) as T | undefined;
    const redis = find<V1StatefulSet>('StatefulSet', 'redis');
    const status = computeClusterStatus(cluster, { ...(redis ? { redis } : {}), api: find<V1Deployment>('Deployment', 'api'), worker: find<V1Deployment>('Deployment', 'worker'), missingSecrets: [] }, new Date());
    await writeStatus(cluster, status);
    written += 2 + applied.length;
  };
  const names = [...clusters.keys()];
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let name = names.shift(); name !== undefined; name = names.shift()) await one(name, clusters.get(name)!);
    }),
  );
  return { ms: Date.now() - t0, objects: written };
}
