// The operator's key to one cluster's API: the Secret `<cluster>-operator-key` holding the key
// itself (read by the operator) and its keys-file line (mounted into the API). Created once and
// never re-applied, so the key never rotates under a running API. Pure.
import { createHash } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { childMeta, childName } from './names.ts';

/** The API key name the cluster's API knows the operator by. */
export const OPERATOR_KEY_NAME = 'sluice-operator';
/** Secret keys: the bearer token, and the keys-file line the API reads. */
export const OPERATOR_KEY = 'key';
export const OPERATOR_KEYS_FILE_ITEM = 'keys';

export const operatorKeyLine = (key: string) => `${OPERATOR_KEY_NAME}:${createHash('sha256').update(key).digest('hex')}\n`;

export function buildOperatorKeySecret(cluster: IngestionCluster, key: string): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: childMeta(cluster, childName(cluster, 'operator-key'), 'api'),
    type: 'Opaque',
    stringData: { [OPERATOR_KEY]: key, [OPERATOR_KEYS_FILE_ITEM]: operatorKeyLine(key) },
  };
}
