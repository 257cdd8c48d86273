// What the API's routes run on. Everything is passed in, so tests build the app against their own
// Redis, PostgreSQL, Chroma and queue.
import type { Request } from 'express';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { CredentialSealer } from '../shared/jobs/credential-sealer.ts';
import type { SearchMode } from '../crd/search.ts';
import type { ChromaStore } from '../shared/chroma-store.ts';
import type { Embedder } from '../shared/embedding/embedder.ts';
import type { Logger } from '../shared/logger.ts';
import type { DocumentJobData } from '../shared/queue.ts';
import type { ApiKey } from './auth.ts';
import type { ApiMetrics } from './metrics.ts';

export interface AppDeps {
  pool: pg.Pool;
  redis: Redis;
  queue: Queue<DocumentJobData>;
  chroma: ChromaStore;
  embedder: Embedder;
  metrics: ApiMetrics;
  log: Logger;
  /** The keys in force now; null: no keys file, so everything but health is refused. */
  keys: () => readonly ApiKey[] | null;
  maxUploadBytes: number;
  maxQueueDepth: number;
  rateLimitPerMinute: number;
  /** The mode of a search that names none (spec.search.mode). */
  searchMode: SearchMode;
  /** The vector leg's weight in hybrid fusion of a search that names none (spec.search.vectorWeight). */
  searchVectorWeight: number;
  /** Seals jobs' credentials before they are stored; absent, jobs with credentials are refused. */
  sealer: CredentialSealer | undefined;
}

/** A request past the key check: `apiKey` is the key it presented. */
export type Authed = Request & { apiKey?: ApiKey };
