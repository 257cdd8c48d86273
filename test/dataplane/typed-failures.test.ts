// Typed failures driven through a real worker to the document's final state. A parse that
// outlives the document timeout ends Timeout after one attempt (permanent), with either extractor. An embedding
// endpoint that keeps answering 429 ends RateLimited, and one that cannot be reached
// EmbeddingUnavailable, each after SLUICE_MAX_ATTEMPTS attempts (transient: retried).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@sluice/devenv/net';
import { EXTRACTORS } from '../../src/shared/extractor-names.ts';
import { upload, waitTerminal } from './support/client.ts';
import { prose, textBombPdf, textPdf } from './support/pdf-factory.ts';
import { startStack, type Stack } from './support/stack.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function stack(): Promise<Stack> {
  const s = await startStack({ env: { SLUICE_MAX_ATTEMPTS: '2' } });
  cleanups.push(() => s.stop());
  return s;
}

/** An OpenAI-compatible endpoint that answers every request 429 and counts them. */
async function throttlingEndpoint(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' }).end('{"error":"rate limited"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests: () => requests };
}

const embeddingEnv = (endpoint: string) => ({
  SLUICE_EMBEDDING_PROVIDER: 'OpenAICompatible',
  SLUICE_EMBEDDING_ENDPOINT: endpoint,
  SLUICE_EMBEDDING_MODEL: 'remote-model',
  SLUICE_EMBEDDING_DIMENSIONS: '16',
  SLUICE_EMBEDDING_MAX_RETRIES: '1',
});

describe('typed failures through the worker', () => {
  it.each(EXTRACTORS)('ends a parse that outlives the document timeout as Timeout, without a retry (extractor %s)', async (extractor) => {
    const s = await stack();
    await s.startWorker({ SLUICE_EXTRACTOR: extractor, SLUICE_DOCUMENT_TIMEOUT_SECONDS: '1', SLUICE_PARSER_MEMORY_MIB: '1024', SLUICE_MAX_CHARS: '1000000000' });
    const r = await upload(s.base, s.keys.admin!, textBombPdf(64_000_000), { collection: `timeout-${s.schema}` });
    expect(r.status).toBe(202);
    const doc = await waitTerminal(s.base, s.keys.admin!, r.body.document.id, 60_000);
    expect(doc).toMatchObject({ state: 'failed', attempts: 1 });
    expect(doc.error.type).toBe('Timeout');
    // The worker goes on: the next document succeeds with a fresh parser process.
    const next = await upload(s.base, s.keys.admin!, await textPdf([prose(7, 1)]), { collection: `timeout-${s.schema}` });
    expect((await waitTerminal(s.base, s.keys.admin!, next.body.document.id, 60_000)).state).toBe('succeeded');
  });

  it('retries a document while the embedding endpoint answers 429, then fails it as RateLimited', async () => {
    const s = await stack();
    const endpoint = await throttlingEndpoint();
    await s.startWorker(embeddingEnv(endpoint.url));
    const r = await upload(s.base, s.keys.admin!, await textPdf(['never embedded']), { collection: `ratelimited-${s.schema}` });
    const doc = await waitTerminal(s.base, s.keys.admin!, r.body.document.id, 60_000);
    expect(doc).toMatchObject({ state: 'failed', attempts: 2 });
    expect(doc.error.type).toBe('RateLimited');
    // Each of the two attempts asked once and retried once (SLUICE_EMBEDDING_MAX_RETRIES=1).
    expect(endpoint.requests()).toBe(4);
  });

  it('retries a document while the embedding endpoint is unreachable, then fails it as EmbeddingUnavailable', async () => {
    const s = await stack();
    await s.startWorker(embeddingEnv(`http://127.0.0.1:${await freePort()}/v1`));
    const r = await upload(s.base, s.keys.admin!, await textPdf(['never embedded either']), { collection: `unreachable-${s.schema}` });
    const doc = await waitTerminal(s.base, s.keys.admin!, r.body.document.id, 60_000);
    expect(doc).toMatchObject({ state: 'failed', attempts: 2 });
    expect(doc.error.type).toBe('EmbeddingUnavailable');
  });
});
