// The one stand-in allowed for semantic embeddings (no model weights can be fetched here): an
// OpenAI-compatible /v1/embeddings server whose vectors the test defines. Each concept is a
// dimension, switched on by any of its words; a text naming no concept lies on the last dimension.
// So two texts that share no word but name the same concept are nearest neighbours, as a model
// would place a paraphrase.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConceptEmbedder {
  /** The base URL to give SLUICE_EMBEDDING_ENDPOINT. */
  endpoint: string;
  dimensions: number;
  close(): Promise<void>;
}

/** Concept dimensions, one for "no concept", and zeros up to the data plane's minimum of 8. */
export const conceptDimensions = (concepts: readonly unknown[]) => Math.max(8, concepts.length + 1);

export function conceptVector(text: string, concepts: readonly (readonly string[])[]): number[] {
  const words = new Set(text.toLowerCase().match(/[a-z]+/g) ?? []);
  const v: number[] = concepts.map((c) => (c.some((w) => words.has(w)) ? 1 : 0));
  v.push(v.some((x) => x) ? 0 : 1);
  while (v.length < conceptDimensions(concepts)) v.push(0);
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  return v.map((x) => x / norm);
}

export async function startConceptEmbedder(concepts: readonly (readonly string[])[]): Promise<ConceptEmbedder> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { input, model } = JSON.parse(body) as { input: string[]; model: string };
      const data = input.map((t, index) => ({ object: 'embedding', index, embedding: conceptVector(t, concepts) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', model, data }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    dimensions: conceptDimensions(concepts),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
