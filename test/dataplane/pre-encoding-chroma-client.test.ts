// Vectors encoded by Buffer reach the real Chroma server as the chromadb client's own encoding
// would: read back, they equal those written through the stock client, to the float32 bit.
import { ChromaClient } from 'chromadb';
import { describe, expect, inject, it } from 'vitest';
import { encodeEmbedding, PreEncodingChromaClient } from '../../src/shared/pre-encoding-chroma-client.ts';

const DIMS = 384;
/** Awkward values too: tiny, negative, not exact in float32, large. */
const vectors = Array.from({ length: 50 }, (_, i) =>
  Array.from({ length: DIMS }, (_, j) => (j === 0 ? 1e-30 * (i + 1) : j === 1 ? -(1e6 + i) : Math.sin(i * DIMS + j) / 3)),
);
const args = () => {
  const u = new URL(inject('chromaUrl'));
  return { host: u.hostname, port: Number(u.port), ssl: false };
};

async function writeAndRead(client: ChromaClient, name: string, embeddings: number[][]): Promise<number[][]> {
  const col = await client.getOrCreateCollection({ name, embeddingFunction: null });
  const ids = vectors.map((_, i) => `v${i}`);
  await col.upsert({ ids, embeddings, metadatas: ids.map((id) => ({ id })) });
  const r = await col.get({ ids, include: ['embeddings'] });
  const byId = new Map(r.ids.map((id, i) => [id, r.embeddings[i]!]));
  return ids.map((id) => byId.get(id)!);
}

describe('pre-encoding chroma client', () => {
  it('sends each vector as base64 of its float32 bytes', async () => {
    const client = new PreEncodingChromaClient(args());
    const sent = JSON.parse(JSON.stringify(await client.embeddingsForWrite(vectors.slice(0, 2)))) as unknown[];
    expect(sent.every((v) => typeof v === 'string')).toBe(true);
    const bytes = Buffer.from(sent[0] as string, 'base64');
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect([...floats]).toEqual(vectors[0]!.map(Math.fround));
    expect(JSON.stringify(encodeEmbedding([1, 2, 3]))).toBe('"AACAPwAAAEAAAEBA"'); // the client's own test vector
  });

  it('stores vectors that read back equal to those written by the stock client', async () => {
    const stamp = Date.now();
    const fast = new PreEncodingChromaClient(args());
    const viaBuffer = await writeAndRead(fast, `pre-encoded-${stamp}`, await fast.embeddingsForWrite(vectors));
    const viaClient = await writeAndRead(new ChromaClient(args()), `client-encoded-${stamp}`, vectors);
    expect(viaBuffer).toEqual(viaClient);
    for (let i = 0; i < vectors.length; i++) expect(viaBuffer[i]!.map(Math.fround)).toEqual(vectors[i]!.map(Math.fround));
  });
});
