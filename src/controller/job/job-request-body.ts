// The body of PUT /v1/jobs/{id}: an IngestionJob's spec with its references resolved (the
// ConfigMap's text, the Secret's credentials), complete so that it never relies on the API's
// defaults. Pure; its hash is compared with the API's specHash to decide whether to PUT.
import type { IngestionJob } from '../../crd/ingestion-job.ts';
import type { JobSources, JobSpec } from '../../shared/jobs/job-spec.ts';

/** What the operator read for the references of a job's sources. */
export interface ResolvedRefs {
  /** The text of sources.manifest.configMapRef's key. */
  manifestContent?: string;
  /** From sources.objectStore.credentialsSecretRef. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Leaves out keys whose value is undefined, so the body and its hash carry no placeholders. */
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function buildJobSources(job: IngestionJob, refs: ResolvedRefs): JobSources {
  const { inline, manifest, objectStore } = job.spec.sources;
  if (inline) return { inline: inline.map((d) => defined({ uri: d.uri, name: d.name, metadata: d.metadata })) };
  if (manifest) return { manifest: manifest.url !== undefined ? { url: manifest.url } : { content: refs.manifestContent ?? '' } };
  if (objectStore) {
    const { endpoint, bucket, prefix, region } = objectStore;
    return { objectStore: defined({ endpoint, bucket, prefix, region, credentials: refs.credentials }) };
  }
  throw new Error('an IngestionJob has exactly one source (the CRD enforces it)');
}

export function buildJobBody(job: IngestionJob, refs: ResolvedRefs): JobSpec {
  const s = job.spec;
  return defined({
    collection: s.collection,
    sources: buildJobSources(job, refs),
    metadata: s.metadata ?? {},
    dedupPolicy: s.dedupPolicy,
    parallelism: s.parallelism,
    priority: s.priority,
    suspend: s.suspend,
    activeDeadlineSeconds: s.activeDeadlineSeconds,
    document: defined({ retries: s.document.retries, timeoutSeconds: s.document.timeoutSeconds }),
    failurePolicy: defined({
      maxFailedDocuments: s.failurePolicy.maxFailedDocuments,
      maxFailedPercent: s.failurePolicy.maxFailedPercent,
      rules: (s.failurePolicy.rules ?? []).map((r) => ({ action: r.action, onErrorTypes: [...r.onErrorTypes] })),
    }),
    chunking: s.chunking && defined({ chunkSize: s.chunking.chunkSize, chunkOverlap: s.chunking.chunkOverlap }),
    // The API checks these two against the cluster's embedder; the rest is the cluster's.
    embedding: s.embedding && (s.embedding.model !== undefined || s.embedding.dimensions !== undefined) ? defined({ model: s.embedding.model, dimensions: s.embedding.dimensions }) : undefined,
    ocr: s.ocr && defined({ mode: s.ocr.mode, languages: s.ocr.languages && [...s.ocr.languages] }),
    retryNonce: s.retryNonce,
    ttlSecondsAfterFinished: s.ttlSecondsAfterFinished,
  });
}
