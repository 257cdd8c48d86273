// The embedder a cluster's configuration names.
import type { EmbeddingConfig } from '../config/data-plane-config.ts';
import type { Embedder } from './embedder.ts';
import { OfflineEmbedder } from './offline.ts';
import { OpenAICompatibleEmbedder } from './openai-compatible.ts';

export function createEmbedder(cfg: EmbeddingConfig): Embedder {
  if (cfg.provider === 'Offline') return new OfflineEmbedder(cfg.model, cfg.dimensions);
  if (!cfg.endpoint) throw new Error('the OpenAICompatible provider needs an endpoint');
  return new OpenAICompatibleEmbedder({ endpoint: cfg.endpoint, apiKey: cfg.apiKey, model: cfg.model, dimensions: cfg.dimensions, batchSize: cfg.batchSize, maxRetries: cfg.maxRetries });
}
