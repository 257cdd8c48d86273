// KEDA mode: the TriggerAuthentication that hands KEDA the operator's key to the cluster's API,
// as a bearer token for the metrics-api trigger (scaled-object.ts). KEDA reads the Secret itself;
// the key never appears in the ScaledObject. Pure.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { childMeta, childName } from './names.ts';
import { OPERATOR_KEY } from './operator-key.ts';

export const KEDA_API_VERSION = 'keda.sh/v1alpha1';

/** The fields of keda.sh/v1alpha1 TriggerAuthentication that Sluice sets. */
export interface TriggerAuthentication extends KubernetesObject {
  apiVersion: typeof KEDA_API_VERSION;
  kind: 'TriggerAuthentication';
  spec: { secretTargetRef: { parameter: string; name: string; key: string }[] };
}

/** The trigger parameter KEDA's bearer authentication reads the token from. */
export const BEARER_TOKEN_PARAMETER = 'token';

export function buildTriggerAuthentication(cluster: IngestionCluster): TriggerAuthentication {
  return {
    apiVersion: KEDA_API_VERSION,
    kind: 'TriggerAuthentication',
    metadata: childMeta(cluster, childName(cluster, 'worker'), 'worker'),
    spec: { secretTargetRef: [{ parameter: BEARER_TOKEN_PARAMETER, name: childName(cluster, 'operator-key'), key: OPERATOR_KEY }] },
  };
}
