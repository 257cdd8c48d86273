// Handing the worker count over to KEDA's HPA without a blip. When the operator stops applying a
// field it alone owns, server-side apply removes it, and a Deployment without spec.replicas is
// defaulted to 1: switching to KEDA would stop all workers but one (busy ones included), or start
// one for nothing, until the HPA next scales. So, as Kubernetes documents for handing replicas to
// an HPA, the live count is first applied under a field manager of its own, which keeps the
// field when the operator lets go; the HPA's first scale then takes it over. Pure.
import type { V1Deployment } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { appliedFields } from '../runtime/apply.ts';
import { childName } from './names.ts';
import { workerReplicas } from './worker.ts';
import type { FieldsV1 } from '../runtime/field-set.ts';

/** The field manager that holds the worker count between the operator and KEDA's HPA. */
export const HANDOVER_FIELD_MANAGER = 'sluice-operator-handover';

/**
 * The Deployment fragment (its live spec.replicas) to apply under HANDOVER_FIELD_MANAGER before
 * the worker Deployment is applied without replicas; undefined when the operator does not own the
 * field any more (or never did), or still sets it in this mode.
 */
export function buildReplicasHandover(cluster: IngestionCluster, live: V1Deployment | undefined): V1Deployment | undefined {
  if (workerReplicas(cluster, undefined) !== undefined) return undefined;
  const replicas = live?.spec?.replicas;
  if (!live || replicas === undefined) return undefined;
  const owned = appliedFields(live, 'apps/v1');
  if (!(owned?.['f:spec'] as FieldsV1 | undefined)?.['f:replicas']) return undefined;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: childName(cluster, 'worker'), namespace: cluster.metadata.namespace! },
    spec: { replicas } as V1Deployment['spec'],
  };
}
