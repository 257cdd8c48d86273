// An OpenAI-compatible /embeddings client (OpenAI, TEI, Ollama, vLLM): batched, backs off on 429
// and 5xx with jitter, and checks that the vectors have the dimension the collection expects.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs } from '../backoff.ts';
import { DocumentError } from '../errors.ts';
import type { Embedder } from './embedder.ts';

export interface OpenAICompatibleOptions {
  endpoint: string;
  apiKey: string | undefined;
  model: string;
  dimensions: number;
  batchSize: number;
  maxRetries?: number;
  timeoutMs?: number;
  /** The longest Retry-After honoured; default 30 s. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
}

export class OpenAICompatibleEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  readonly #o: OpenAICompatibleOptions;
  constructor(options: OpenAICompatibleOptions) {
    this.#o = options;
    this.model = options.model;
    this.dimensions = options.dimensions;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.#o.batchSize) out.push(...(await this.#batch(texts.slice(i, i + this.#o.batchSize))));
    return out;
  }

  async #batch(input: readonly string[]): Promise<number[][]> {
    const url = this.#o.endpoint.replace(/\/+$/, '') + '/embeddings';
    const maxRetries = this.#o.maxRetries ?? 5;
    const doFetch = this.#o.fetch ?? fetch;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.#o.apiKey ? { authorization: `Bearer ${this.#o.apiKey}` } : {}) },
          body: JSON.stringify({ model: this.#o.model, input }),
          signal: AbortSignal.timeout(this.#o.timeoutMs ?? 60_000),
        });
      } catch (err) {
        if (attempt > maxRetries) throw new DocumentError('EmbeddingUnavailable', `embedding endpoint unreachable: ${(err as Error).message}`, { cause: err });
        await sleep(backoffMs(attempt, 500, 10_000));
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        await res.body?.cancel();
        if (attempt > maxRetries) {
          throw new DocumentError(res.status === 429 ? 'RateLimited' : 'EmbeddingUnavailable', `embedding endpoint answered ${res.status}`);
        }
        // Honoured, but not for longer than a document should wait in one attempt: a server
        // asking for an hour is treated as down, and the document retried later as a whole.
        const retryAfter = Number(res.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, this.#o.maxRetryAfterMs ?? 30_000) : backoffMs(attempt, 500, 10_000));
        continue;
      }
      if (!res.ok) throw new DocumentError('EmbeddingUnavailable', `embedding endpoint answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const body = (await res.json()) as { data?: { embedding: number[]; index: number }[] };
      const data = [...(body.data ?? [])].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      if (data.length !== input.length) throw new DocumentError('EmbeddingUnavailable', `embedding endpoint returned ${data.length} vectors for ${input.length} inputs`);
      const bad = data.find((v) => v.length !== this.dimensions);
      if (bad) throw new DocumentError('EmbeddingMismatch', `model ${this.model} returned ${bad.length} dimensions, configured ${this.dimensions}`);
      return data;
    }
  }
}
