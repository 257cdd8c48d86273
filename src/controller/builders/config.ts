// The non-secret configuration the API and workers read from their environment. Pure.
import { createHash } from 'node:crypto';
import type { V1ConfigMap, V1EnvVar, V1EnvVarSource } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import type { SecretKeyRef } from '../../crd/common.ts';
import { defaultVectorWeight } from '../../crd/search.ts';
import { METRICS_PORT, REDIS_PORT } from '../constants.ts';
import { childMeta, childName } from './names.ts';
import { CREDENTIALS_KEY } from './generated-secrets.ts';
import { OPERATOR_KEYS_FILE_ITEM } from './operator-key.ts';

export const API_KEYS_MOUNT = '/etc/sluice/api-keys';
/** Where the API reads the operator's keys-file line (docs/jobs.md). */
export const OPERATOR_KEY_MOUNT = '/etc/sluice/operator-key';

export interface ComponentConfig {
  common: Record<string, string>;
  api: Record<string, string>;
  worker: Record<string, string>;
}

export function componentConfig(cluster: IngestionCluster): ComponentConfig {
  const { spec } = cluster;
  return {
    common: {
      SLUICE_CHROMA_URL: spec.stores.chroma.url,
      SLUICE_CHROMA_TENANT: spec.stores.chroma.tenant,
      SLUICE_CHROMA_DATABASE: spec.stores.chroma.database,
      SLUICE_EMBEDDING_PROVIDER: spec.embedding.provider,
      SLUICE_EMBEDDING_MODEL: spec.embedding.model,
      SLUICE_EMBEDDING_DIMENSIONS: String(spec.embedding.dimensions),
      SLUICE_EMBEDDING_BATCH_SIZE: String(spec.embedding.batchSize),
      ...(spec.embedding.endpoint ? { SLUICE_EMBEDDING_ENDPOINT: spec.embedding.endpoint } : {}),
      SLUICE_METRICS_PORT: String(METRICS_PORT),
    },
    api: {
      SLUICE_API_PORT: String(spec.api.port),
      SLUICE_MAX_UPLOAD_BYTES: String(spec.api.maxUploadBytes),
      SLUICE_MAX_QUEUE_DEPTH: String(spec.api.maxQueueDepth),
      SLUICE_RATE_LIMIT_PER_MINUTE: String(spec.api.rateLimitPerMinute),
      ...(spec.api.authSecretRef ? { SLUICE_API_KEYS_FILE: `${API_KEYS_MOUNT}/${spec.api.authSecretRef.key}` } : {}),
      SLUICE_OPERATOR_KEYS_FILE: `${OPERATOR_KEY_MOUNT}/${OPERATOR_KEYS_FILE_ITEM}`,
      SLUICE_SEARCH_MODE: spec.search.mode,
      SLUICE_SEARCH_VECTOR_WEIGHT: String(spec.search.vectorWeight ?? defaultVectorWeight(spec.embedding.provider)),
    },
    worker: {
      SLUICE_WORKER_CONCURRENCY: String(spec.workers.concurrency),
      SLUICE_DOCUMENT_TIMEOUT_SECONDS: String(spec.workers.documentTimeoutSeconds),
      SLUICE_PARSER_MEMORY_MIB: String(spec.workers.parserMemoryMiB),
      SLUICE_EXTRACTOR: spec.workers.extractor,
      SLUICE_MAX_PAGES: String(spec.workers.maxPages),
      SLUICE_CHUNK_SIZE: String(spec.chunking.chunkSize),
      SLUICE_CHUNK_OVERLAP: String(spec.chunking.chunkOverlap),
      SLUICE_CHROMA_STORE_TEXT: String(spec.stores.chroma.storeText),
      SLUICE_SEARCH_LANGUAGE: spec.search.language,
      SLUICE_OCR_MODE: spec.workers.ocr.mode,
      SLUICE_OCR_LANGUAGES: spec.workers.ocr.languages.join(','),
      SLUICE_OCR_DPI: String(spec.workers.ocr.dpi),
      SLUICE_OCR_MAX_PAGES: String(spec.workers.ocr.maxPagesPerDocument),
      SLUICE_OCR_TIMEOUT_SECONDS: String(spec.workers.ocr.timeoutSecondsPerPage),
      // Hand back what is still in flight before the kubelet's SIGKILL at the end of the grace
      // period (the CRD guarantees grace >= document timeout >= 5 s).
      SLUICE_SHUTDOWN_TIMEOUT_SECONDS: String(Math.max(5, spec.workers.terminationGracePeriodSeconds - 10)),
      ...fetchConfig(cluster),
    },
  };
}

/** How workers fetch job documents; never from the cluster's own API or Redis. */
function fetchConfig(cluster: IngestionCluster): Record<string, string> {
  const { fetch } = cluster.spec.workers;
  return {
    SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: String(fetch.allowPrivateNetworks),
    SLUICE_FETCH_MAX_BYTES: String(fetch.maxBytes ?? cluster.spec.api.maxUploadBytes),
    SLUICE_FETCH_CONNECT_TIMEOUT_SECONDS: String(fetch.connectTimeoutSeconds),
    SLUICE_FETCH_TIMEOUT_SECONDS: String(fetch.timeoutSeconds),
    SLUICE_FETCH_MAX_REDIRECTS: String(fetch.maxRedirects),
    SLUICE_FETCH_DENY_HOSTS: fetchDenyHosts(cluster).join(','),
  };
}

/** The names of the cluster's own Services, short and fully qualified. */
export function fetchDenyHosts(cluster: IngestionCluster): string[] {
  const ns = cluster.metadata.namespace!;
  const services = [childName(cluster, 'api'), ...(cluster.spec.redis.mode === 'Managed' ? [childName(cluster, 'redis')] : [])];
  return services.flatMap((s) => [s, `${s}.${ns}`, `${s}.${ns}.svc`, `${s}.${ns}.svc.cluster.local`]);
}

export function buildConfigMap(cluster: IngestionCluster): V1ConfigMap {
  const c = componentConfig(cluster);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMeta(cluster, childName(cluster, 'config'), 'config'),
    data: sortKeys({ ...c.common, ...c.api, ...c.worker }),
  };
}

/** A stable digest of what one component reads, so only a relevant change rolls its pods. */
export function configHash(cluster: IngestionCluster, component: 'api' | 'worker'): string {
  const c = componentConfig(cluster);
  const data = sortKeys({ ...c.common, ...c[component] });
  return createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16);
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

const fromSecret = (ref: SecretKeyRef, optional = false): V1EnvVarSource => ({
  secretKeyRef: { name: ref.name, key: ref.key, ...(optional ? { optional } : {}) },
});

/** Secret-backed environment: references only, never values. */
export function secretEnv(cluster: IngestionCluster): V1EnvVar[] {
  const { spec } = cluster;
  const env: V1EnvVar[] = [];
  if (spec.redis.mode === 'Managed') {
    env.push(
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: childName(cluster, 'redis-auth'), key: 'password' } } },
      // $(REDIS_PASSWORD) is expanded by the kubelet: the password never appears in the pod spec.
      { name: 'SLUICE_REDIS_URL', value: `redis://:$(REDIS_PASSWORD)@${redisHost(cluster)}:${REDIS_PORT}` },
    );
  } else if (spec.redis.externalSecretRef) {
    env.push({ name: 'SLUICE_REDIS_URL', valueFrom: fromSecret(spec.redis.externalSecretRef) });
  }
  env.push({ name: 'SLUICE_POSTGRES_URL', valueFrom: fromSecret(spec.stores.postgres.secretRef) });
  env.push({ name: 'SLUICE_CREDENTIALS_KEY', valueFrom: { secretKeyRef: { name: childName(cluster, 'credentials-key'), key: CREDENTIALS_KEY } } });
  if (spec.stores.chroma.credentialsSecretRef) env.push({ name: 'SLUICE_CHROMA_TOKEN', valueFrom: fromSecret(spec.stores.chroma.credentialsSecretRef) });
  if (spec.embedding.apiKeySecretRef) env.push({ name: 'SLUICE_EMBEDDING_API_KEY', valueFrom: fromSecret(spec.embedding.apiKeySecretRef) });
  return env;
}

export const redisHost = (cluster: IngestionCluster) => `${childName(cluster, 'redis')}.${cluster.metadata.namespace}.svc`;

/** Every Secret the cluster's pods need, by name, with the keys they read. */
export function referencedSecrets(cluster: IngestionCluster): { name: string; key: string; field: string }[] {
  const { spec } = cluster;
  const refs: { name: string; key: string; field: string }[] = [];
  const add = (ref: SecretKeyRef | undefined, field: string) => ref && refs.push({ name: ref.name, key: ref.key, field });
  if (spec.redis.mode === 'External') add(spec.redis.externalSecretRef, 'spec.redis.externalSecretRef');
  add(spec.stores.postgres.secretRef, 'spec.stores.postgres.secretRef');
  add(spec.stores.chroma.credentialsSecretRef, 'spec.stores.chroma.credentialsSecretRef');
  add(spec.embedding.apiKeySecretRef, 'spec.embedding.apiKeySecretRef');
  add(spec.api.authSecretRef, 'spec.api.authSecretRef');
  return refs;
}
