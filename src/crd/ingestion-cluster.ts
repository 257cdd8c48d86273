// IngestionCluster: the infrastructure one ingestion stack runs on (Redis, API, workers).
import type { V1ObjectMeta } from '@kubernetes/client-node';
import {
  chunking,
  conditions,
  count,
  observedGeneration,
  embedding,
  image,
  podOverrides,
  resources,
  secretKeyRef,
} from './common.ts';
import { arr, bool, enumOf, int, num, obj, optional, str, type Static } from './schema.ts';
import { apiHttpRoute, apiIngress, apiService } from './exposure.ts';
import { clusterOcr } from './ocr.ts';
import { SEARCH_LANGUAGES, SEARCH_MODES } from './search.ts';

export const AUTOSCALING_MODES = ['Builtin', 'KEDA', 'None'] as const;
export type AutoscalingMode = (typeof AUTOSCALING_MODES)[number];

const scalingPolicy = () =>
  obj(
    {
      type: enumOf(['Pods', 'Percent'] as const, { description: 'Pods: an absolute number of pods; Percent: a share of the current replicas.' }),
      value: int({ description: 'Pods or percent allowed to change per period.', minimum: 1 }),
      periodSeconds: int({ description: 'Window the value applies to.', minimum: 1, maximum: 1800 }),
    },
    { description: 'How fast replicas may change, as in HPA behavior.' },
  );

const scalingRules = (what: string, window: number, policies: object[]) =>
  obj(
    {
      stabilizationWindowSeconds: int({
        description: `Scale ${what} only to the highest (down) or lowest (up) recommendation of this many past seconds.`,
        minimum: 0,
        maximum: 3600,
        default: window,
      }),
      selectPolicy: enumOf(['Max', 'Min', 'Disabled'] as const, { description: 'Which policy wins when several apply; Disabled forbids this direction.', default: 'Max' }),
      policies: arr(scalingPolicy(), { description: `Limits on scaling ${what}.`, maxItems: 10, minItems: 1, listType: 'atomic', default: policies }),
    },
    // Defaulted field by field, so that setting only the window keeps the default policies.
    { description: `Scale-${what} behavior (HPA semantics).`, default: {} },
  );

export const ingestionClusterSpec = obj(
  {
    suspend: bool({ description: 'Scale the API and workers to zero, keeping Redis and its data. Queued work resumes when unsuspended.', default: false }),
    redis: obj(
      {
        mode: enumOf(['Managed', 'External'] as const, { description: 'Managed: the operator runs Redis as a StatefulSet. External: connect to the Redis in externalSecretRef.', default: 'Managed' }),
        image: str({ description: 'Redis image (Managed mode).', default: 'redis:7.4-alpine', minLength: 1, maxLength: 512 }),
        storage: obj(
          {
            size: str({ description: 'Size of the persistent volume holding the append-only file.', default: '1Gi', pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$' }),
            storageClassName: optional(str({ description: 'StorageClass of the volume; the cluster default when left out.', maxLength: 253 })),
          },
          { description: 'Persistence of managed Redis (AOF, appendfsync everysec).', default: {} },
        ),
        resources: optional(resources()),
        externalSecretRef: optional(secretKeyRef('Secret with a redis:// or rediss:// URL (External mode).', 'url')),
      },
      {
        description: 'The Redis that holds the work queue.',
        default: {},
        rules: [
          { rule: "self.mode != 'External' || has(self.externalSecretRef)", message: 'externalSecretRef is required when mode is External', fieldPath: '.externalSecretRef' },
        ],
      },
    ),
    api: obj(
      {
        image: optional(image('API')),
        replicas: int({ description: 'API pods.', minimum: 0, maximum: 100, default: 2 }),
        port: int({
          description: 'Port the API listens on. Its /metrics is served apart, on port 9090, which this may therefore not be.',
          minimum: 1024,
          maximum: 65535,
          default: 8080,
          rules: [{ rule: 'self != 9090', message: 'port 9090 is the metrics port of the API and worker pods' }],
        }),
        resources: optional(resources()),
        maxUploadBytes: int({ description: 'Largest accepted upload; larger ones get 413.', minimum: 1024, maximum: 4294967296, format: 'int64', default: 104857600 }),
        maxQueueDepth: int({ description: 'Queued documents above which uploads get 503 with Retry-After (backpressure).', minimum: 1, default: 100000 }),
        rateLimitPerMinute: int({ description: 'Requests per minute per API key, enforced across replicas; 0 disables the limit.', minimum: 0, default: 600 }),
        authSecretRef: optional(secretKeyRef('Secret with API keys, one "name:sha256hex[:collection,...]" per line. Without it the API refuses every request but health.', 'keys')),
        pod: optional(podOverrides()),
        service: apiService(),
        ingress: optional(apiIngress()),
        httpRoute: optional(apiHttpRoute()),
      },
      {
        description: 'The upload and search API.',
        default: {},
        rules: [{ rule: '!(has(self.ingress) && has(self.httpRoute))', message: 'set at most one of ingress and httpRoute', fieldPath: '.httpRoute' }],
      },
    ),
    workers: obj(
      {
        image: optional(image('workers')),
        replicas: int({ description: 'Worker pods when autoscaling.mode is None. In Builtin mode, the count (within minReplicas..maxReplicas) until the autoscaler has measured the queue; in KEDA mode, unused.', minimum: 0, maximum: 1000, default: 1 }),
        concurrency: int({ description: 'Documents one worker pod processes at once.', minimum: 1, maximum: 64, default: 2 }),
        resources: optional(resources()),
        documentTimeoutSeconds: int({ description: 'Wall-clock limit for one document; the parser process is killed past it.', minimum: 5, maximum: 3600, default: 120 }),
        parserMemoryMiB: int({ description: 'Memory cap of the parser child process (bounds decompression bombs).', minimum: 64, maximum: 16384, default: 512 }),
        extractor: enumOf(['pdfium', 'pdf-parse'] as const, {
          description:
            'Text extractor run in the parser child process: pdfium (PDFium compiled to WebAssembly; more than twice as fast per core as pdf-parse on real-world PDFs) or pdf-parse (pdf.js). Both run under the same time, memory, page and character limits and fail a document with the same error types; their text of the same page can differ in spacing, line breaks and reading order.',
          default: 'pdfium',
        }),
        maxPages: int({ description: 'Documents with more pages fail with TooManyPages.', minimum: 1, maximum: 100000, default: 5000 }),
        terminationGracePeriodSeconds: int({ description: 'Time a stopping worker gets to finish or hand back its documents.', minimum: 10, maximum: 7200, default: 300 }),
        fetch: obj(
          {
            allowPrivateNetworks: bool({
              description:
                "Let workers fetch IngestionJob documents from loopback and private addresses (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 198.18.0.0/15, 127.0.0.0/8, fc00::/7, ::1). Off by default, so a job cannot point workers at services inside the cluster network. Link-local and cloud metadata addresses and this cluster's own API and Redis are refused even when true.",
              default: false,
            }),
            maxBytes: optional(int({ description: 'Largest document a worker fetches; api.maxUploadBytes when left out.', minimum: 1024, maximum: 4294967296, format: 'int64' })),
            connectTimeoutSeconds: int({ description: 'Time allowed to connect to a document source.', minimum: 1, maximum: 300, default: 10 }),
            timeoutSeconds: int({ description: 'Time allowed to fetch one document, from connecting to the last byte.', minimum: 1, maximum: 3600, default: 120 }),
            maxRedirects: int({ description: 'Redirects followed per fetch.', minimum: 0, maximum: 20, default: 5 }),
            ports: arr(int({ description: 'A TCP port.', minimum: 1, maximum: 65535 }), {
              description: "TCP ports the workers' NetworkPolicy lets them fetch from (http(s) servers and S3 endpoints), e.g. add 9000 for a MinIO endpoint.",
              default: [80, 443],
              minItems: 1,
              maxItems: 16,
              listType: 'set',
            }),
          },
          { description: 'How workers fetch the documents of IngestionJobs over http(s) and S3.', default: {} },
        ),
        ocr: clusterOcr(),
        pod: optional(podOverrides()),
      },
      {
        description: 'The ingestion workers.',
        default: {},
        rules: [
          {
            rule: 'self.terminationGracePeriodSeconds >= self.documentTimeoutSeconds',
            message: 'terminationGracePeriodSeconds must be at least documentTimeoutSeconds, or stopping workers abandon documents',
            fieldPath: '.terminationGracePeriodSeconds',
          },
        ],
      },
    ),
    stores: obj(
      {
        postgres: obj(
          { secretRef: secretKeyRef('Secret with a postgres:// connection URI.', 'uri') },
          { description: 'PostgreSQL: the source of truth for documents and their state.' },
        ),
        chroma: obj(
          {
            url: str({ description: 'Base URL of the Chroma server.', minLength: 1, maxLength: 2048, pattern: '^https?://' }),
            tenant: str({ description: 'Chroma tenant.', default: 'default_tenant', minLength: 1, maxLength: 256 }),
            database: str({ description: 'Chroma database.', default: 'default_database', minLength: 1, maxLength: 256 }),
            credentialsSecretRef: optional(secretKeyRef('Secret with a Chroma token.', 'token')),
            storeText: bool({
              description:
                "Also write each chunk's text into its Chroma record (documents). PostgreSQL keeps every chunk's text either way, for lexical search and search results. Off: Chroma skips its full-text index of the text, which saves Chroma CPU on every chunk; a reader of the collection outside Sluice then finds vectors and metadata but no text, and cannot filter by where_document. Applies to chunks written from then on.",
              default: false,
            }),
          },
          { description: 'Chroma: where chunk vectors live.' },
        ),
      },
      { description: 'Connections to the stores.' },
    ),
    chunking: chunking(true),
    embedding: embedding(true),
    search: obj(
      {
        mode: enumOf(SEARCH_MODES, {
          description:
            "POST /v1/search's mode when a request names none. hybrid: the vector and lexical legs fused by reciprocal rank; vector: nearest chunks by embedding; lexical: BM25 over the chunks' words in PostgreSQL.",
          default: 'hybrid',
        }),
        language: enumOf(SEARCH_LANGUAGES, {
          description:
            "PostgreSQL text-search configuration of the lexical index of collections created from then on (a collection keeps the one it was created with). simple keeps every word whole, in any language; english and the others also stem words and drop their language's stopwords.",
          default: 'simple',
        }),
        vectorWeight: optional(
          num({
            description:
              "The vector leg's weight in hybrid fusion, from 0 to 1; the lexical leg weighs 1 minus it. Left out: 0.1 with the Offline embedder, whose vectors capture word overlap only, which the lexical leg ranks better; 0.5 with an OpenAICompatible model. A search may set its own.",
            minimum: 0,
            maximum: 1,
          }),
        ),
      },
      { description: 'How the cluster searches its collections.', default: {} },
    ),
    autoscaling: obj(
      {
        mode: enumOf(['Builtin', 'KEDA', 'None'] as const, {
          description:
            'Who owns the worker replica count. Builtin: the operator, from queued plus in-flight documents, draining idle workers before it removes them. KEDA: a ScaledObject the operator renders. None: workers.replicas.',
          default: 'Builtin',
        }),
        minReplicas: int({ description: 'Fewest workers; 0 allows scale to zero.', minimum: 0, maximum: 1000, default: 0 }),
        maxReplicas: int({ description: 'Most workers.', minimum: 1, maximum: 1000, default: 10 }),
        targetDepthPerWorker: int({ description: 'Queued plus in-flight documents one worker should carry.', minimum: 1, maximum: 10000, default: 5 }),
        activationDepth: int({ description: 'Depth above which workers scale from zero.', minimum: 0, default: 0 }),
        pollingIntervalSeconds: int({
          description: "How often the queue is measured: by the operator through the cluster's API (Builtin), or by KEDA for its 0↔1 activation (KEDA mode; its HPA reads the metric every HPA sync period, 15 s by default).",
          minimum: 1,
          maximum: 3600,
          default: 2,
        }),
        cooldownSeconds: int({ description: 'Time the queue must stay empty before scaling to zero.', minimum: 0, maximum: 86400, default: 300 }),
        tolerance: num({ description: 'Relative change ignored, as in HPA (0.1 = 10 %). Builtin only: in KEDA mode the HPA uses its cluster-wide tolerance.', minimum: 0, maximum: 1, default: 0.1 }),
        scaleUp: scalingRules('up', 0, [
          { type: 'Percent', value: 100, periodSeconds: 15 },
          { type: 'Pods', value: 4, periodSeconds: 15 },
        ]),
        scaleDown: scalingRules('down', 300, [{ type: 'Percent', value: 100, periodSeconds: 15 }]),
        fallback: obj(
          {
            failureThreshold: int({ description: 'Consecutive failed queue measurements before falling back.', minimum: 1, maximum: 100, default: 3 }),
            replicas: int({
              description: 'Workers to run while the queue cannot be measured. Builtin raises the count to it but never lowers it then: without heartbeats no worker is known to be idle.',
              minimum: 0,
              maximum: 1000,
              default: 1,
            }),
          },
          { description: 'What to do when the queue cannot be measured.', default: {} },
        ),
      },
      {
        description: 'Scaling of the workers from queue depth.',
        default: {},
        rules: [
          { rule: 'self.minReplicas <= self.maxReplicas', message: 'minReplicas must not exceed maxReplicas', fieldPath: '.minReplicas' },
          { rule: 'self.fallback.replicas <= self.maxReplicas', message: 'fallback.replicas must not exceed maxReplicas', fieldPath: '.fallback.replicas' },
        ],
      },
    ),
  },
  { description: 'Desired state of an ingestion stack.' },
);

export const ingestionClusterStatus = obj(
  {
    observedGeneration: observedGeneration(),
    conditions: optional(conditions()),
    phase: optional(enumOf(['Pending', 'Ready', 'Degraded', 'Suspended'] as const, { description: 'Summary for display; conditions are the contract.' })),
    workers: optional(
      obj(
        {
          desired: optional(count('Workers the owner of the replica count wants.')),
          replicas: optional(count('Worker pods that exist.')),
          ready: optional(count('Worker pods that are ready.')),
          busy: optional(count('Workers processing a document.')),
          idle: optional(count('Workers waiting for work.')),
          summary: optional(str({ description: 'Ready/desired workers, e.g. 3/4, for kubectl get.', maxLength: 64 })),
        },
        { description: 'Worker counts.' },
      ),
    ),
    queue: optional(
      obj(
        {
          waiting: optional(count('Documents queued and not started.')),
          active: optional(count('Documents being processed.')),
          delayed: optional(count('Documents waiting for a retry.')),
          failed: optional(count('Documents that failed for good.')),
        },
        { description: 'Queue depth at the last measurement.' },
      ),
    ),
    endpoints: optional(
      obj(
        {
          api: optional(str({ description: 'In-cluster URL of the API.' })),
          redis: optional(str({ description: 'Redis host:port (no credentials).' })),
        },
        { description: 'Where the components can be reached.' },
      ),
    ),
    autoscaling: optional(
      obj(
        {
          mode: optional(str({ description: 'The spec.autoscaling.mode this was written under.', maxLength: 16 })),
          reason: optional(str({ description: 'Why the Builtin autoscaler wants status.workers.desired now: ScaleUp, ScaleDown, Hold, Activation, ScaleToZero, Fallback, MetricUnavailable or Clamped.', maxLength: 64 })),
          message: optional(str({ description: 'The last decision in words.', maxLength: 1024 })),
          lastScaleTime: optional(str({ description: 'When the Builtin autoscaler last changed the worker count.', format: 'date-time' })),
          lastScaleReason: optional(str({ description: 'Why the worker count last changed.', maxLength: 1024 })),
          consecutiveFailures: optional(count('Failed queue measurements in a row (fallback.failureThreshold of them run fallback.replicas).')),
        },
        { description: 'The Builtin autoscaler\'s last decision; absent in other modes.' },
      ),
    ),
  },
  { description: 'Observed state of the ingestion stack.' },
);

export type IngestionClusterSpec = Static<typeof ingestionClusterSpec>;
export type IngestionClusterStatus = Static<typeof ingestionClusterStatus>;
export interface IngestionCluster {
  apiVersion: 'sluice.dev/v1alpha1';
  kind: 'IngestionCluster';
  metadata: V1ObjectMeta;
  spec: IngestionClusterSpec;
  status?: IngestionClusterStatus;
}
