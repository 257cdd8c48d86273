import { describe, expect, it } from 'vitest';
import { loadApiConfig, loadWorkerConfig } from '../../../src/shared/config/data-plane-config.ts';
import { ConfigError } from '../../../src/shared/config/env.ts';

const base = { SLUICE_POSTGRES_URL: 'postgres://u@db/x', SLUICE_CHROMA_URL: 'http://chroma:8000' };

describe('configuration from the environment', () => {
  it('applies the documented defaults', () => {
    const api = loadApiConfig(base);
    expect(api).toMatchObject({ port: 8080, rateLimitPerMinute: 600, maxUploadBytes: 104857600, redisUrl: 'redis://127.0.0.1:6379', apiKeysFile: undefined });
    expect(api.chroma).toEqual({ url: 'http://chroma:8000', tenant: 'default_tenant', database: 'default_database', token: undefined });
    const w = loadWorkerConfig({ ...base, SLUICE_WORKER_ID: 'pod-1' });
    expect(w).toMatchObject({ workerId: 'pod-1', concurrency: 2, documentTimeoutSeconds: 120, parserMemoryMiB: 512, maxPages: 5000, chunkSize: 1000, chunkOverlap: 150, metricsPort: 9090, shutdownTimeoutSeconds: 120 });
    expect(loadWorkerConfig({ ...base, SLUICE_DOCUMENT_TIMEOUT_SECONDS: '30' }).shutdownTimeoutSeconds).toBe(30);
    expect(loadWorkerConfig({ ...base, SLUICE_SHUTDOWN_TIMEOUT_SECONDS: '0.5' }).shutdownTimeoutSeconds).toBe(0.5);
    expect(w.embedding).toMatchObject({ provider: 'Offline', model: 'sluice-hash-v1', dimensions: 384, batchSize: 64, maxRetries: 5 });
  });

  it.each([
    [{ SLUICE_POSTGRES_URL: undefined }, /SLUICE_POSTGRES_URL is required/],
    [{ SLUICE_POSTGRES_URL: 'mysql://x' }, /SLUICE_POSTGRES_URL must use postgres: or postgresql:/],
    [{ SLUICE_CHROMA_URL: 'not a url' }, /SLUICE_CHROMA_URL must be a URL/],
    [{ SLUICE_WORKER_CONCURRENCY: 'two' }, /SLUICE_WORKER_CONCURRENCY must be an integer/],
    [{ SLUICE_WORKER_CONCURRENCY: '0' }, /between 1 and 64/],
    [{ SLUICE_CHUNK_SIZE: '200', SLUICE_CHUNK_OVERLAP: '200' }, /must be smaller than SLUICE_CHUNK_SIZE/],
    [{ SLUICE_EMBEDDING_PROVIDER: 'Magic' }, /must be one of Offline, OpenAICompatible/],
    [{ SLUICE_EMBEDDING_PROVIDER: 'OpenAICompatible' }, /SLUICE_EMBEDDING_ENDPOINT is required/],
    [{ SLUICE_EMBEDDING_DIMENSIONS: '4' }, /between 8 and 8192/],
    [{ SLUICE_SHUTDOWN_TIMEOUT_SECONDS: '30s' }, /SLUICE_SHUTDOWN_TIMEOUT_SECONDS must be a number/],
    [{ SLUICE_CREDENTIALS_KEY: Buffer.alloc(16).toString('base64') }, /SLUICE_CREDENTIALS_KEY must be 32 bytes in base64/],
    [{ SLUICE_CREDENTIALS_KEY: 'not base64 at all!' }, /SLUICE_CREDENTIALS_KEY must be 32 bytes in base64/],
  ])('refuses %o with a message naming the variable', (over, message) => {
    expect(() => loadWorkerConfig({ ...base, ...over })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ ...base, ...over })).toThrow(message);
  });

  it('treats a rate limit of 0 as off, not as invalid', () => {
    expect(loadApiConfig({ ...base, SLUICE_RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute).toBe(0);
  });
});
