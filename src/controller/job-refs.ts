// Reads what an IngestionJob references in its namespace: a manifest ConfigMap's key and
// object-store credentials. A missing reference is an answer (a condition), not an error.
import type { KubeConfig, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import type { IngestionJob } from '../crd/ingestion-job.ts';
import { ConfigMapLookupError, errorMessage, httpStatus, SecretLookupError } from './errors.ts';
import type { ResolvedRefs } from './job-body.ts';
import { kubeRequests, objectPath } from './kube-requests.ts';

export type Resolution = { ok: true; refs: ResolvedRefs } | { ok: false; reason: string; message: string };

/** GETs by name (the controller may not list or watch Secrets); undefined when not found. */
export interface RefReader {
  configMapData(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  secretData(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

const SECRET_ACCESS_KEY = 'secretAccessKey';

export async function resolveRefs(job: IngestionJob, reader: RefReader): Promise<Resolution> {
  const ns = job.metadata.namespace!;
  const cmRef = job.spec.sources.manifest?.configMapRef;
  if (cmRef) {
    const field = 'spec.sources.manifest.configMapRef';
    const data = await reader.configMapData(ns, cmRef.name);
    if (!data) return { ok: false, reason: 'ConfigMapNotFound', message: `ConfigMap "${cmRef.name}" referenced by ${field} not found` };
    const content = data[cmRef.key];
    if (content === undefined) return { ok: false, reason: 'ConfigMapKeyNotFound', message: `ConfigMap "${cmRef.name}" has no key "${cmRef.key}" (${field}.key)` };
    return { ok: true, refs: { manifestContent: content } };
  }
  const secretRef = job.spec.sources.objectStore?.credentialsSecretRef;
  if (secretRef) {
    const field = 'spec.sources.objectStore.credentialsSecretRef';
    const data = await reader.secretData(ns, secretRef.name);
    if (!data) return { ok: false, reason: 'SecretNotFound', message: `Secret "${secretRef.name}" referenced by ${field} not found` };
    const accessKeyId = data[secretRef.key];
    const secretAccessKey = data[SECRET_ACCESS_KEY];
    for (const [key, value] of [[secretRef.key, accessKeyId], [SECRET_ACCESS_KEY, secretAccessKey]] as const) {
      if (value === undefined) return { ok: false, reason: 'SecretKeyNotFound', message: `Secret "${secretRef.name}" has no key "${key}" (${field})` };
    }
    return { ok: true, refs: { credentials: { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey! } } };
  }
  return { ok: true, refs: {} };
}

const decode = (data: Record<string, string> | undefined) => Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

export function kubeRefReader(kc: KubeConfig): RefReader {
  const request = kubeRequests(kc);
  return {
    async configMapData(namespace, name) {
      try {
        const cm = await request<V1ConfigMap>('GET', objectPath('v1', 'configmaps', namespace, name));
        return { ...decode(cm.binaryData), ...cm.data };
      } catch (err) {
        if (httpStatus(err) === 404) return undefined;
        throw new ConfigMapLookupError(`reading ConfigMap ${namespace}/${name}: ${errorMessage(err)}`, { cause: err });
      }
    },
    async secretData(namespace, name) {
      try {
        return decode((await request<V1Secret>('GET', objectPath('v1', 'secrets', namespace, name))).data);
      } catch (err) {
        if (httpStatus(err) === 404) return undefined;
        throw new SecretLookupError(`reading Secret ${namespace}/${name}: ${errorMessage(err)}`, { cause: err });
      }
    },
  };
}
