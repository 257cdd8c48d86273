// Every environment variable of the API and the worker is parsed here, so that a bad value
// fails at start with a message naming the variable instead of somewhere deep in a request.
// The operator writes them into the pods (controller/builders/config.ts); test/unit/env-contract
// joins the two lists.
import os from 'node:os';
import { EMBEDDING_PROVIDERS } from '../../crd/common.ts';
import { OCR_LANGUAGES, OCR_MODES, type OcrLanguage, type OcrMode } from '../../crd/ocr.ts';
import { defaultVectorWeight, SEARCH_LANGUAGES, SEARCH_MODES, type SearchLanguage, type SearchMode } from '../../crd/search.ts';
import { QUEUE_NAME } from '../queue-name.ts';
import { CREDENTIALS_KEY_BYTES } from '../jobs/credential-sealer.ts';
import { bool, ConfigError, decimal, int, list, oneOf, optionalStr, str, url, type Env } from './env.ts';
import { DEFAULT_EXTRACTOR, type ExtractorName, EXTRACTORS, isExtractorName } from '../extractor-names.ts';
import { loadFetchSettings, type FetchSettings } from './fetch-settings.ts';

export interface StoresConfig {
  redisUrl: string;
  /** The BullMQ queue; only tests that share one Redis set SLUICE_QUEUE_NAME. */
  queueName: string;
  postgresUrl: string;
  chroma: { url: string; tenant: string; database: string; token: string | undefined };
  /** SLUICE_CREDENTIALS_KEY: seals job credentials at rest (base64, 32 bytes); none, none stored. */
  credentialsKey: Buffer | undefined;
}

export type EmbeddingProviderName = (typeof EMBEDDING_PROVIDERS)[number];

export interface EmbeddingConfig {
  provider: EmbeddingProviderName;
  model: string;
  dimensions: number;
  endpoint: string | undefined;
  apiKey: string | undefined;
  batchSize: number;
  /** Retries of one request to the endpoint (429, 5xx, unreachable) before the attempt fails. */
  maxRetries: number;
}

export interface ApiConfig extends StoresConfig {
  port: number;
  /** /metrics, served apart from the keyed port. */
  metricsPort: number;
  maxUploadBytes: number;
  maxQueueDepth: number;
  rateLimitPerMinute: number;
  apiKeysFile: string | undefined;
  /** The operator's key (docs/jobs.md), accepted beside those of apiKeysFile. */
  operatorKeysFile: string | undefined;
  /** How often the keys file is checked for changes (a rotated Secret). */
  apiKeysReloadSeconds: number;
  embedding: EmbeddingConfig;
  /** spec.search.mode: the mode of a search that names none. */
  searchMode: SearchMode;
  /** spec.search.vectorWeight: the vector leg's weight in hybrid fusion, 0 to 1. */
  searchVectorWeight: number;
}

export interface WorkerConfig extends StoresConfig {
  /** storeText (SLUICE_CHROMA_STORE_TEXT): chunk text in Chroma's documents, or in PostgreSQL. */
  chroma: StoresConfig['chroma'] & { storeText: boolean };
  workerId: string;
  concurrency: number;
  documentTimeoutSeconds: number;
  /** After SIGTERM, how long in-flight documents may finish before they are handed back. */
  shutdownTimeoutSeconds: number;
  parserMemoryMiB: number;
  /** spec.workers.extractor: the parser processes' text extractor. */
  extractor: ExtractorName;
  maxPages: number;
  maxChars: number;
  chunkSize: number;
  chunkOverlap: number;
  embedding: EmbeddingConfig;
  metricsPort: number;
  maxAttempts: number;
  staleSeconds: number;
  sweepIntervalSeconds: number;
  /** SLUICE_FETCH_*: fetching job documents and manifests. */
  fetch: FetchSettings;
  /** spec.search.language: the text-search configuration of collections this worker creates. */
  searchLanguage: SearchLanguage;
  /** spec.workers.ocr: recognising pages without a text layer. */
  ocr: OcrConfig;
}

export interface OcrConfig {
  mode: OcrMode;
  languages: OcrLanguage[];
  dpi: number;
  maxPagesPerDocument: number;
  timeoutSecondsPerPage: number;
}

function loadStoresConfig(env: Env): StoresConfig {
  return {
    redisUrl: url(env, 'SLUICE_REDIS_URL', ['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
    queueName: str(env, 'SLUICE_QUEUE_NAME', QUEUE_NAME),
    postgresUrl: url(env, 'SLUICE_POSTGRES_URL', ['postgres:', 'postgresql:']),
    chroma: {
      url: url(env, 'SLUICE_CHROMA_URL', ['http:', 'https:']),
      tenant: str(env, 'SLUICE_CHROMA_TENANT', 'default_tenant'),
      database: str(env, 'SLUICE_CHROMA_DATABASE', 'default_database'),
      token: optionalStr(env, 'SLUICE_CHROMA_TOKEN'),
    },
    credentialsKey: credentialsKey(env),
  };
}

function credentialsKey(env: Env): Buffer | undefined {
  const raw = optionalStr(env, 'SLUICE_CREDENTIALS_KEY');
  if (raw === undefined) return undefined;
  const key = Buffer.from(raw, 'base64');
  if (key.length !== CREDENTIALS_KEY_BYTES || key.toString('base64') !== raw.replace(/\s+/g, '')) {
    throw new ConfigError(`SLUICE_CREDENTIALS_KEY must be ${CREDENTIALS_KEY_BYTES} bytes in base64, as \`openssl rand -base64 ${CREDENTIALS_KEY_BYTES}\` prints`);
  }
  return key;
}

function loadEmbeddingConfig(env: Env): EmbeddingConfig {
  const provider = str(env, 'SLUICE_EMBEDDING_PROVIDER', 'Offline');
  if (!(EMBEDDING_PROVIDERS as readonly string[]).includes(provider)) {
    throw new ConfigError(`SLUICE_EMBEDDING_PROVIDER must be one of ${EMBEDDING_PROVIDERS.join(', ')}, got ${JSON.stringify(provider)}`);
  }
  const endpoint = optionalStr(env, 'SLUICE_EMBEDDING_ENDPOINT');
  if (provider === 'OpenAICompatible' && endpoint === undefined) {
    throw new ConfigError('SLUICE_EMBEDDING_ENDPOINT is required when SLUICE_EMBEDDING_PROVIDER is OpenAICompatible');
  }
  if (endpoint !== undefined) url(env, 'SLUICE_EMBEDDING_ENDPOINT', ['http:', 'https:']);
  return {
    provider: provider as EmbeddingProviderName,
    model: str(env, 'SLUICE_EMBEDDING_MODEL', 'sluice-hash-v1'),
    dimensions: int(env, 'SLUICE_EMBEDDING_DIMENSIONS', 384, 8, 8192),
    endpoint,
    apiKey: optionalStr(env, 'SLUICE_EMBEDDING_API_KEY'),
    batchSize: int(env, 'SLUICE_EMBEDDING_BATCH_SIZE', 64, 1, 2048),
    maxRetries: int(env, 'SLUICE_EMBEDDING_MAX_RETRIES', 5, 0, 100),
  };
}

export function loadApiConfig(env: Env = process.env): ApiConfig {
  const embedding = loadEmbeddingConfig(env);
  return {
    ...loadStoresConfig(env),
    port: int(env, 'SLUICE_API_PORT', 8080, 0, 65535),
    metricsPort: int(env, 'SLUICE_METRICS_PORT', 9090, 0, 65535),
    maxUploadBytes: int(env, 'SLUICE_MAX_UPLOAD_BYTES', 104857600, 1024),
    maxQueueDepth: int(env, 'SLUICE_MAX_QUEUE_DEPTH', 100000, 1),
    rateLimitPerMinute: int(env, 'SLUICE_RATE_LIMIT_PER_MINUTE', 600, 0),
    apiKeysFile: optionalStr(env, 'SLUICE_API_KEYS_FILE'),
    operatorKeysFile: optionalStr(env, 'SLUICE_OPERATOR_KEYS_FILE'),
    apiKeysReloadSeconds: int(env, 'SLUICE_API_KEYS_RELOAD_SECONDS', 10, 1, 3600),
    embedding,
    searchMode: oneOf(env, 'SLUICE_SEARCH_MODE', SEARCH_MODES, 'hybrid'),
    searchVectorWeight: decimal(env, 'SLUICE_SEARCH_VECTOR_WEIGHT', defaultVectorWeight(embedding.provider), 0, 1),
  };
}

function extractorName(env: Env): ExtractorName {
  const v = str(env, 'SLUICE_EXTRACTOR', DEFAULT_EXTRACTOR);
  if (!isExtractorName(v)) throw new ConfigError(`SLUICE_EXTRACTOR must be one of ${EXTRACTORS.join(', ')}, got ${JSON.stringify(v)}`);
  return v;
}

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const chunkSize = int(env, 'SLUICE_CHUNK_SIZE', 1000, 100, 16000);
  const chunkOverlap = int(env, 'SLUICE_CHUNK_OVERLAP', 150, 0, 8000);
  if (chunkOverlap >= chunkSize) throw new ConfigError(`SLUICE_CHUNK_OVERLAP (${chunkOverlap}) must be smaller than SLUICE_CHUNK_SIZE (${chunkSize})`);
  const documentTimeoutSeconds = int(env, 'SLUICE_DOCUMENT_TIMEOUT_SECONDS', 120, 1, 3600);
  const stores = loadStoresConfig(env);
  return {
    ...stores,
    chroma: { ...stores.chroma, storeText: bool(env, 'SLUICE_CHROMA_STORE_TEXT', false) },
    workerId: str(env, 'SLUICE_WORKER_ID', os.hostname()),
    concurrency: int(env, 'SLUICE_WORKER_CONCURRENCY', 2, 1, 64),
    documentTimeoutSeconds,
    shutdownTimeoutSeconds: decimal(env, 'SLUICE_SHUTDOWN_TIMEOUT_SECONDS', documentTimeoutSeconds, 0, 86400),
    parserMemoryMiB: int(env, 'SLUICE_PARSER_MEMORY_MIB', 512, 64, 16384),
    extractor: extractorName(env),
    maxPages: int(env, 'SLUICE_MAX_PAGES', 5000, 1, 100000),
    maxChars: int(env, 'SLUICE_MAX_CHARS', 20_000_000, 1000),
    chunkSize,
    chunkOverlap,
    embedding: loadEmbeddingConfig(env),
    metricsPort: int(env, 'SLUICE_METRICS_PORT', 9090, 0, 65535),
    maxAttempts: int(env, 'SLUICE_MAX_ATTEMPTS', 5, 1, 100),
    staleSeconds: int(env, 'SLUICE_STALE_SECONDS', 30, 2, 3600),
    sweepIntervalSeconds: int(env, 'SLUICE_SWEEP_INTERVAL_SECONDS', 10, 1, 3600),
    fetch: loadFetchSettings(env),
    searchLanguage: oneOf(env, 'SLUICE_SEARCH_LANGUAGE', SEARCH_LANGUAGES, 'simple'),
    ocr: {
      mode: oneOf(env, 'SLUICE_OCR_MODE', OCR_MODES, 'Auto'),
      languages: list(env, 'SLUICE_OCR_LANGUAGES', OCR_LANGUAGES, ['eng']),
      dpi: int(env, 'SLUICE_OCR_DPI', 300, 72, 600),
      maxPagesPerDocument: int(env, 'SLUICE_OCR_MAX_PAGES', 500, 1, 5000),
      timeoutSecondsPerPage: int(env, 'SLUICE_OCR_TIMEOUT_SECONDS', 60, 1, 600),
    },
  };
}
