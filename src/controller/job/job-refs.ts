// Reads what an IngestionJob references in its namespace: a manifest ConfigMap's key and
// object-store credentials. A missing reference is an answer (a condition), not an error.
import type { IngestionJob } from '../../crd/ingestion-job.ts';
import type { RefReader } from '../runtime/ref-reader.ts';
import type { ResolvedRefs } from './job-request-body.ts';

export type Resolution = { ok: true; refs: ResolvedRefs } | { ok: false; reason: string; message: string };

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
