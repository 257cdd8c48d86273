// The OpenAI-compatible provider against a real HTTP server on loopback that speaks the
// /v1/embeddings protocol, answers 429 when told to, and counts what it was sent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEmbed } from '../../src/shared/embedding/offline.ts';
import { OpenAICompatibleEmbedder } from '../../src/shared/embedding/openai-compatible.ts';

let server: http.Server;
let endpoint: string;
const seen: { auth: string | undefined; inputs: number; status: number }[] = [];
let throttleNext = 0;
let retryAfter = '0';
let dims = 32;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { input, model } = JSON.parse(body) as { input: string[]; model: string };
      if (throttleNext > 0) {
        throttleNext--;
        seen.push({ auth: req.headers.authorization, inputs: input.length, status: 429 });
        return void res.writeHead(429, { 'retry-after': retryAfter }).end('{"error":"slow down"}');
      }
      seen.push({ auth: req.headers.authorization, inputs: input.length, status: 200 });
      // Out of order on purpose: clients must sort by index.
      const data = input.map((t, index) => ({ object: 'embedding', index, embedding: hashEmbed(t, dims) })).reverse();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', model, data }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('OpenAI-compatible embedder', () => {
  it('sends batches of the configured size with the API key and keeps the input order', async () => {
    seen.length = 0;
    const e = new OpenAICompatibleEmbedder({ endpoint, apiKey: 'secret', model: 'm', dimensions: 32, batchSize: 4 });
    const texts = Array.from({ length: 10 }, (_, i) => `text number ${i}`);
    const vectors = await e.embed(texts);
    expect(seen.map((x) => x.inputs)).toEqual([4, 4, 2]);
    expect(seen.every((x) => x.auth === 'Bearer secret')).toBe(true);
    expect(vectors).toEqual(texts.map((t) => hashEmbed(t, 32)));
  });

  it('backs off and retries on 429', async () => {
    seen.length = 0;
    throttleNext = 2;
    const e = new OpenAICompatibleEmbedder({ endpoint, apiKey: undefined, model: 'm', dimensions: 32, batchSize: 8 });
    expect(await e.embed(['a', 'b'])).toHaveLength(2);
    expect(seen.map((x) => x.status)).toEqual([429, 429, 200]);
  });

  it('honours Retry-After only up to its cap', async () => {
    seen.length = 0;
    throttleNext = 1;
    retryAfter = '3600';
    try {
      const e = new OpenAICompatibleEmbedder({ endpoint, apiKey: undefined, model: 'm', dimensions: 32, batchSize: 8, maxRetryAfterMs: 300 });
      const started = Date.now();
      expect(await e.embed(['a'])).toHaveLength(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(seen.map((x) => x.status)).toEqual([429, 200]);
    } finally {
      retryAfter = '0';
    }
  });

  it('gives up with RateLimited when the endpoint keeps answering 429', async () => {
    throttleNext = 10;
    const e = new OpenAICompatibleEmbedder({ endpoint, apiKey: undefined, model: 'm', dimensions: 32, batchSize: 8, maxRetries: 2 });
    await expect(e.embed(['a'])).rejects.toMatchObject({ type: 'RateLimited' });
    throttleNext = 0;
  });

  it('refuses vectors of another dimension with EmbeddingMismatch', async () => {
    dims = 16;
    const e = new OpenAICompatibleEmbedder({ endpoint, apiKey: undefined, model: 'm', dimensions: 32, batchSize: 8 });
    await expect(e.embed(['a'])).rejects.toMatchObject({ type: 'EmbeddingMismatch' });
    dims = 32;
  });

  it('reports an unreachable endpoint as EmbeddingUnavailable (transient)', async () => {
    const e = new OpenAICompatibleEmbedder({ endpoint: 'http://127.0.0.1:1/v1', apiKey: undefined, model: 'm', dimensions: 32, batchSize: 8, maxRetries: 1 });
    await expect(e.embed(['a'])).rejects.toMatchObject({ type: 'EmbeddingUnavailable', permanent: false });
  });
});
