// Secrets the operator generates once: Managed Redis's password, the operator's key to the
// cluster's API, and the key that seals jobs' credentials in PostgreSQL. One shape for all, and never re-applied once they exist, since that would
// rotate a password under a running Redis or a key under a running API. Pure: the random values
// are the caller's.
import type { V1Secret } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { childMeta, childName, type Component } from './names.ts';
import { OPERATOR_KEY, OPERATOR_KEYS_FILE_ITEM, operatorKeyLine } from './operator-key.ts';

export interface GeneratedValues {
  /** A password for Managed Redis. */
  password(): string;
  /** A new operator key for the cluster's API (`sk_` and 32 random bytes in hex). */
  key(): string;
  /** A new key sealing jobs' credentials (32 random bytes in base64). */
  credentialsKey(): string;
}

/** A Secret this spec wants, built (and so its values drawn) only when it must be created. */
export interface GeneratedSecret {
  name: string;
  build(values: GeneratedValues): V1Secret;
}

function generatedSecret(cluster: IngestionCluster, suffix: 'redis-auth' | 'operator-key' | 'credentials-key', component: Component, stringData: Record<string, string>): V1Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: childMeta(cluster, childName(cluster, suffix), component), type: 'Opaque', stringData };
}

export const buildRedisAuthSecret = (cluster: IngestionCluster, password: string): V1Secret => generatedSecret(cluster, 'redis-auth', 'redis', { password });

export const buildOperatorKeySecret = (cluster: IngestionCluster, key: string): V1Secret =>
  generatedSecret(cluster, 'operator-key', 'api', { [OPERATOR_KEY]: key, [OPERATOR_KEYS_FILE_ITEM]: operatorKeyLine(key) });

/** Read by the API (sealing) and the workers (opening) as SLUICE_CREDENTIALS_KEY. */
export const CREDENTIALS_KEY = 'key';

export const buildCredentialsKeySecret = (cluster: IngestionCluster, key: string): V1Secret => generatedSecret(cluster, 'credentials-key', 'api', { [CREDENTIALS_KEY]: key });

/**
 * The generated Secrets this spec wants. Losing the credentials key loses the credentials of
 * stored jobs (they fail saying so until sent again), so it is created once like the others.
 * Redis's password only in Managed mode; in External mode
 * it is not pruned either, but kept with Redis's volume (README, "Managed Redis").
 */
export function buildGeneratedSecrets(cluster: IngestionCluster): GeneratedSecret[] {
  return [
    ...(cluster.spec.redis.mode === 'Managed' ? [{ name: childName(cluster, 'redis-auth'), build: (v: GeneratedValues) => buildRedisAuthSecret(cluster, v.password()) }] : []),
    { name: childName(cluster, 'operator-key'), build: (v: GeneratedValues) => buildOperatorKeySecret(cluster, v.key()) },
    { name: childName(cluster, 'credentials-key'), build: (v: GeneratedValues) => buildCredentialsKeySecret(cluster, v.credentialsKey()) },
  ];
}
