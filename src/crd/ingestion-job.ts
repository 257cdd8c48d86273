// IngestionJob: a batch of documents declared as a resource, run on an IngestionCluster.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { jobOcr } from './ocr.ts';
import { chunking, collectionName, conditions, count, embedding, ERROR_TYPES, objectName, observedGeneration, secretKeyRef } from './common.ts';
import { arr, bool, enumOf, int, mapOf, num, obj, optional, str, type Static } from './schema.ts';

export const JOB_PHASES = ['Pending', 'Running', 'Suspended', 'Complete', 'Failed'] as const;
export const FAILURE_ACTIONS = ['FailJob', 'FailDocument', 'Ignore', 'Retry'] as const;

const immutable = (what: string) => ({ rule: 'self == oldSelf', message: `${what} is immutable` });

const metadataMap = (description: string) =>
  mapOf(str({ description: 'Metadata value.', maxLength: 1024 }), { description, maxProperties: 32 });

const inlineDocument = obj(
  {
    uri: str({ description: 'Where to fetch the PDF: http(s):// or s3://bucket/key.', minLength: 1, maxLength: 2048, pattern: '^(https?|s3)://' }),
    name: optional(str({ description: 'Display name; defaults to the last path segment of the URI.', maxLength: 512 })),
    metadata: optional(metadataMap('Metadata stored with this document and its chunks.')),
  },
  { description: 'One document.' },
);

export const ingestionJobSpec = obj(
  {
    clusterRef: obj(
      { name: objectName('Name of an IngestionCluster in the same namespace.') },
      { description: 'The IngestionCluster that runs this job. Immutable.', rules: [immutable('clusterRef')] },
    ),
    collection: collectionName('Chroma collection the chunks go into (Chroma naming rules). Immutable.'),
    sources: obj(
      {
        inline: optional(arr(inlineDocument, { description: 'Documents listed in the resource itself (at most 1000; use manifest for more).', minItems: 1, maxItems: 1000, listType: 'atomic' })),
        manifest: optional(
          obj(
            {
              configMapRef: optional(
                obj(
                  { name: objectName('ConfigMap name.'), key: str({ description: 'Key holding the list.', default: 'documents', maxLength: 253 }) },
                  { description: 'A ConfigMap key with one URI per line, or JSON lines {"uri","name","metadata"}.' },
                ),
              ),
              url: optional(str({ description: 'URL of a manifest file in the same format.', maxLength: 2048, pattern: '^(https?|s3)://' })),
            },
            {
              description: 'A list of documents kept outside the resource.',
              rules: [{ rule: 'has(self.configMapRef) != has(self.url)', message: 'exactly one of configMapRef or url must be set' }],
            },
          ),
        ),
        objectStore: optional(
          obj(
            {
              endpoint: optional(str({ description: 'S3-compatible endpoint; AWS when left out.', maxLength: 2048, pattern: '^https?://' })),
              bucket: str({ description: 'Bucket name.', minLength: 3, maxLength: 63, pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$' }),
              prefix: str({ description: 'Key prefix; every object under it ending in .pdf is a document.', default: '', maxLength: 1024 }),
              region: optional(str({ description: 'Bucket region.', maxLength: 64 })),
              credentialsSecretRef: optional(secretKeyRef('Secret with accessKeyId and secretAccessKey keys.', 'accessKeyId')),
            },
            { description: 'Every PDF under a bucket prefix.' },
          ),
        ),
      },
      {
        description: 'Where the documents come from: exactly one of inline, manifest or objectStore.',
        rules: [
          {
            rule: '(has(self.inline) ? 1 : 0) + (has(self.manifest) ? 1 : 0) + (has(self.objectStore) ? 1 : 0) == 1',
            message: 'exactly one of sources.inline, sources.manifest or sources.objectStore must be set',
          },
        ],
      },
    ),
    metadata: optional(metadataMap('Metadata stored with every document of this job and its chunks.')),
    dedupPolicy: enumOf(['Skip', 'Reindex'] as const, {
      description: 'A document whose content (SHA-256) is already in the collection: Skip counts it as skipped; Reindex replaces its chunks.',
      default: 'Skip',
    }),
    parallelism: int({ description: 'Documents of this job in flight at once.', minimum: 1, maximum: 10000, default: 10 }),
    priority: int({ description: 'Queue priority, 0 (lowest) to 100; higher runs first.', minimum: 0, maximum: 100, default: 50 }),
    suspend: bool({ description: 'Stop starting documents; in-flight ones finish. Resumes when false.', default: false }),
    activeDeadlineSeconds: optional(int({ description: 'Seconds after start at which the job fails with DeadlineExceeded.', minimum: 1, format: 'int64' })),
    document: obj(
      {
        retries: int({ description: 'Retries of a transient failure per document (like backoffLimitPerIndex).', minimum: 0, maximum: 20, default: 3 }),
        timeoutSeconds: optional(int({ description: "Per-document wall-clock limit; the cluster's workers.documentTimeoutSeconds when left out.", minimum: 5, maximum: 3600 })),
      },
      { description: 'Per-document limits.', default: {} },
    ),
    failurePolicy: obj(
      {
        maxFailedDocuments: optional(int({ description: 'Failed documents beyond this fail the job (like maxFailedIndexes). Unlimited when left out.', minimum: 0, format: 'int64' })),
        maxFailedPercent: optional(int({ description: 'Failed share of all documents beyond which the job fails.', minimum: 0, maximum: 100 })),
        rules: optional(arr(
          obj(
            {
              action: enumOf(FAILURE_ACTIONS, {
                description: 'FailJob: fail the whole job. FailDocument: fail the document without retries. Ignore: count it as skipped. Retry: retry even if the error is permanent.',
              }),
              onErrorTypes: arr(enumOf(ERROR_TYPES, { description: 'A typed document error.' }), { description: 'Error types this rule matches.', minItems: 1, maxItems: ERROR_TYPES.length, listType: 'set' }),
            },
            { description: 'An action for documents failing with given error types (like podFailurePolicy). The first matching rule wins.' },
          ),
          { description: 'Rules by error type, evaluated in order.', maxItems: 20, listType: 'atomic' },
        )),
      },
      {
        description: 'When document failures fail the job.',
        default: {},
      },
    ),
    chunking: optional(chunking(false)),
    embedding: optional(embedding(false)),
    ocr: optional(jobOcr()),
    retryNonce: optional(str({ description: 'Change it to re-drive the failed documents of this job (like restartNonce).', maxLength: 63 })),
    ttlSecondsAfterFinished: optional(
      int({ description: "Seconds after the job finishes when its stored PDF bytes are pruned (chunks, records and the resource stay: Git may own it).", minimum: 0, format: 'int64' }),
    ),
    deletionPolicy: enumOf(['Retain', 'Delete'] as const, {
      description: "What happens to the job's documents and chunks when the IngestionJob is deleted: Retain keeps them; Delete removes them from Chroma and PostgreSQL.",
      default: 'Retain',
    }),
  },
  {
    description: 'Desired state of a batch ingestion.',
    rules: [
      { rule: 'self.collection == oldSelf.collection', message: 'collection is immutable', fieldPath: '.collection' },
    ],
  },
);

export const ingestionJobStatus = obj(
  {
    observedGeneration: observedGeneration(),
    conditions: optional(conditions()),
    phase: optional(enumOf(JOB_PHASES, { description: 'Summary for display; conditions (Complete, Failed, Suspended, FailureTarget, SuccessCriteriaMet) are the contract.' })),
    progress: optional(str({ description: 'Finished of total documents, e.g. "812/1000".', maxLength: 64 })),
    counts: optional(
      obj(
        {
          total: optional(count('Documents in the job.')),
          queued: optional(count('Documents waiting to start.')),
          active: optional(count('Documents being processed.')),
          succeeded: optional(count('Documents ingested.')),
          failed: optional(count('Documents that failed for good.')),
          skipped: optional(count('Documents skipped (duplicates, ignored failures).')),
        },
        { description: 'Document counts.' },
      ),
    ),
    pages: optional(count('Pages extracted.')),
    pagesOcr: optional(count('Pages whose text OCR recognised (they had no text layer).')),
    chunks: optional(count('Chunks written.')),
    rate: optional(num({ description: 'Finished documents per second over the last minute, while the job runs.', minimum: 0 })),
    etaSeconds: optional(count('Estimated seconds until every document is finished, while the job runs and the rate is known.')),
    startTime: optional(str({ description: 'When the job started.', format: 'date-time' })),
    completionTime: optional(str({ description: 'When the job finished.', format: 'date-time' })),
    observedRetryNonce: optional(str({ description: 'The retryNonce last acted on.', maxLength: 63 })),
    embedding: optional(
      obj(
        { model: optional(str({ description: 'Model name.' })), dimensions: optional(int({ description: 'Vector length.' })) },
        { description: 'The embedding model this job wrote with.' },
      ),
    ),
    lastFailures: optional(
      arr(
        obj(
          {
            document: str({ description: 'Document id.' }),
            source: optional(str({ description: 'Where the document came from.' })),
            errorType: enumOf(ERROR_TYPES, { description: 'Typed error.' }),
            message: optional(str({ description: 'Error message.', maxLength: 1024 })),
            attempts: optional(count('Attempts made.')),
          },
          { description: 'A failed document.' },
        ),
        { description: 'The most recent failures (at most 20); all of them are listed by the API.', maxItems: 20, listType: 'atomic' },
      ),
    ),
  },
  { description: 'Observed state of the batch.' },
);

export type IngestionJobSpec = Static<typeof ingestionJobSpec>;
export type IngestionJobStatus = Static<typeof ingestionJobStatus>;
export interface IngestionJob {
  apiVersion: 'sluice.dev/v1alpha1';
  kind: 'IngestionJob';
  metadata: V1ObjectMeta;
  spec: IngestionJobSpec;
  status?: IngestionJobStatus;
}
