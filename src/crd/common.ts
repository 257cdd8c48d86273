// Schema pieces shared by IngestionCluster and IngestionJob.
import type { V1Affinity, V1Toleration } from '@kubernetes/client-node';
import type { TPartial } from '@sinclair/typebox';
import { arr, enumOf, int, mapOf, obj, opaque, optional, quantity, str, Type, type Static } from './schema.ts';

export const GROUP = 'sluice.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const SECRET_KEY = '^[-._a-zA-Z0-9]+$';

export const objectName = (description: string) =>
  str({ description, minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN });

export const secretKeyRef = (description: string, defaultKey: string) =>
  obj(
    {
      name: objectName('Name of a Secret in the same namespace.'),
      key: str({ description: `Key within the Secret. Defaults to "${defaultKey}".`, default: defaultKey, maxLength: 253, pattern: SECRET_KEY }),
    },
    { description },
  );
export type SecretKeyRef = Static<ReturnType<typeof secretKeyRef>>;

export const resources = () =>
  obj(
    {
      requests: optional(mapOf(quantity({ description: 'Quantity.' }), { description: 'Minimum resources the container is guaranteed (cpu, memory, ephemeral-storage).', maxProperties: 8 })),
      limits: optional(mapOf(quantity({ description: 'Quantity.' }), { description: 'Maximum resources the container may use.', maxProperties: 8 })),
    },
    { description: 'Compute resources of the container, as in a Pod spec.' },
  );
export type Resources = Static<ReturnType<typeof resources>>;

export const image = (what: string) =>
  str({ description: `Container image of the ${what}. Defaults to the operator's own image.`, minLength: 1, maxLength: 512 });

export const podOverrides = () =>
  obj(
    {
      labels: optional(mapOf(str({ description: 'Label value.', maxLength: 63 }), { description: 'Extra labels on the pods.', maxProperties: 32 })),
      annotations: optional(mapOf(str({ description: 'Annotation value.' }), { description: 'Extra annotations on the pods.', maxProperties: 32 })),
      nodeSelector: optional(mapOf(str({ description: 'Label value.', maxLength: 63 }), { description: 'Node labels the pods must run on.', maxProperties: 32 })),
      tolerations: optional(opaque<V1Toleration[]>({ type: 'array', description: 'Tolerations of the pods, as in a Pod spec.' })),
      affinity: optional(opaque<V1Affinity>({ type: 'object', description: 'Affinity of the pods, as in a Pod spec.' })),
      priorityClassName: optional(str({ description: 'PriorityClass of the pods.', maxLength: 253 })),
      imagePullSecrets: optional(
        arr(obj({ name: objectName('Secret name.') }, { description: 'A pull secret reference.' }), { description: 'Secrets for pulling the image.', maxItems: 8 }),
      ),
    },
    { description: 'Scheduling and metadata overrides applied to the pods.' },
  );
export type PodOverrides = Static<ReturnType<typeof podOverrides>>;

// Chroma's collection-name rules (chromadb 1.x): 3-512 characters from [a-zA-Z0-9._-],
// starting and ending with an alphanumeric, no "..", not an IPv4 address.
export const collectionName = (description: string) =>
  str({
    description,
    minLength: 3,
    maxLength: 512,
    pattern: '^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$',
    rules: [
      { rule: "!self.contains('..')", message: 'a collection name must not contain two consecutive periods' },
      { rule: "!self.matches('^[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}$')", message: 'a collection name must not be an IPv4 address' },
    ],
  });

const chunkingSchema = (withDefaults: boolean) =>
  obj(
    {
      chunkSize: int({ description: 'Target chunk length in characters.', minimum: 100, maximum: 16000, ...(withDefaults ? { default: 1000 } : {}) }),
      chunkOverlap: int({ description: 'Characters shared by consecutive chunks of the same page run.', minimum: 0, maximum: 8000, ...(withDefaults ? { default: 150 } : {}) }),
    },
    {
      description: withDefaults ? 'Default chunking of documents.' : 'Chunking for this job; fields left out come from the cluster.',
      ...(withDefaults ? { default: {} } : {}),
      rules: [
        {
          rule: withDefaults ? 'self.chunkOverlap < self.chunkSize' : '!has(self.chunkOverlap) || !has(self.chunkSize) || self.chunkOverlap < self.chunkSize',
          message: 'chunkOverlap must be smaller than chunkSize',
          fieldPath: '.chunkOverlap',
        },
      ],
    },
  );

/**
 * With defaults: the cluster's chunking, every field present. Without: a job's override, where
 * every field is optional and the ones left out come from the cluster.
 */
export function chunking(withDefaults: true): ReturnType<typeof chunkingSchema>;
export function chunking(withDefaults: false): TPartial<ReturnType<typeof chunkingSchema>>;
export function chunking(withDefaults: boolean) {
  return withDefaults ? chunkingSchema(true) : Type.Partial(chunkingSchema(false));
}

export const EMBEDDING_PROVIDERS = ['Offline', 'OpenAICompatible'] as const;

const embeddingSchema = (withDefaults: boolean) => {
  const d = <T>(v: T) => (withDefaults ? { default: v } : {});
  return obj(
    {
      provider: enumOf(EMBEDDING_PROVIDERS, {
        description:
          'Offline: a built-in hashing embedder that needs no network or model (lexical similarity only). OpenAICompatible: an /v1/embeddings endpoint (OpenAI, TEI, Ollama, vLLM).',
        ...d('Offline' as const),
      }),
      model: str({ description: 'Model name sent to the provider and recorded on the collection.', minLength: 1, maxLength: 256, ...d('sluice-hash-v1') }),
      dimensions: int({ description: 'Vector length. A collection never mixes dimensions: a mismatch is refused.', minimum: 8, maximum: 8192, ...d(384) }),
      endpoint: optional(str({ description: 'Base URL of the OpenAI-compatible API, e.g. http://tei:8080/v1.', maxLength: 2048, pattern: '^https?://' })),
      apiKeySecretRef: optional(secretKeyRef('Secret holding the provider API key.', 'apiKey')),
      batchSize: int({ description: 'Chunks per embedding request.', minimum: 1, maximum: 2048, ...d(64) }),
    },
    {
      description: withDefaults ? 'How chunks are turned into vectors.' : 'Embedding for this job; fields left out come from the cluster.',
      ...d({}),
      rules: [
        {
          rule: withDefaults ? "self.provider != 'OpenAICompatible' || has(self.endpoint)" : "!has(self.provider) || self.provider != 'OpenAICompatible' || has(self.endpoint)",
          message: 'endpoint is required when provider is OpenAICompatible',
          fieldPath: '.endpoint',
        },
      ],
    },
  );
};

/** Like chunking(): every field present for a cluster, every field optional for a job. */
export function embedding(withDefaults: true): ReturnType<typeof embeddingSchema>;
export function embedding(withDefaults: false): TPartial<ReturnType<typeof embeddingSchema>>;
export function embedding(withDefaults: boolean) {
  return withDefaults ? embeddingSchema(true) : Type.Partial(embeddingSchema(false));
}
export type Embedding = Static<ReturnType<typeof embeddingSchema>>;

export const conditions = () =>
  arr(
    obj(
      {
        type: str({ description: 'Type of condition in CamelCase.', maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$' }),
        status: enumOf(['True', 'False', 'Unknown'] as const, { description: 'Status of the condition.' }),
        observedGeneration: optional(int({ description: 'The .metadata.generation the condition was set from.', minimum: 0, format: 'int64' })),
        lastTransitionTime: str({ description: 'Last time the condition changed status.', format: 'date-time' }),
        reason: str({ description: 'CamelCase reason for the last transition.', minLength: 1, maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
        message: str({ description: 'Human-readable details.', maxLength: 32768 }),
      },
      { description: 'A metav1.Condition.' },
    ),
    { description: 'Latest observations of the object, one per type.', maxItems: 16, listType: 'map', listMapKeys: ['type'] },
  );
export type Condition = Static<ReturnType<typeof conditions>>[number];

export const count = (description: string) => int({ description, minimum: 0, format: 'int64' });

export const observedGeneration = () =>
  optional(int({ description: 'The .metadata.generation this status was computed from.', minimum: 0, format: 'int64' }));

export const ERROR_TYPES = [
  'Encrypted',
  'Corrupt',
  'NoTextLayer',
  'TooLarge',
  'TooManyPages',
  'Timeout',
  'OutOfMemory',
  'OcrTimeout',
  'OcrFailed',
  'FetchFailed',
  'StoreUnavailable',
  'EmbeddingUnavailable',
  'EmbeddingMismatch',
  'RateLimited',
  'Unknown',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

