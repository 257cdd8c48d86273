// A collection of at least `target` chunks for the speed measurement: the relevance corpus's own
// chunks and word-shuffled copies of them (the same vocabulary and lengths, other texts), written
// as the worker's store step writes them (StoreBatcher: PostgreSQL rows with their tsvectors,
// then Chroma), with the Offline embedder's vectors.
import { createHash, randomUUID } from 'node:crypto';
import { ChromaStore } from '../../src/shared/chroma-store.ts';
import type { Chunk } from '../../src/shared/chunking.ts';
import { ensureCollection } from '../../src/shared/db/collections.ts';
import { OfflineEmbedder } from '../../src/shared/embedding/offline.ts';
import { StoreBatcher } from '../../src/worker/store-batcher.ts';
import type { BenchStack } from '../stack.ts';
import { seeded } from '../random.ts';

const CHUNKS_PER_DOCUMENT = 12;

export async function seedSpeedCollection(s: BenchStack, from: string, collection: string, target: number): Promise<number> {
  const { rows } = await s.pg.query<{ text: string; page_start: number; page_end: number }>(
    'SELECT text, page_start, page_end FROM chunk_texts WHERE collection = $1 ORDER BY document_id, chunk_index',
    [from],
  );
  const random = seeded(7);
  const texts: { text: string; pageStart: number; pageEnd: number }[] = [];
  for (let copy = 0; texts.length < target; copy++) {
    for (const r of rows) {
      if (texts.length >= target) break;
      const words = r.text.split(/\s+/);
      if (copy > 0) {
        for (let i = words.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [words[i], words[j]] = [words[j]!, words[i]!];
        }
      }
      texts.push({ text: words.join(' '), pageStart: r.page_start, pageEnd: r.page_end });
    }
  }
  const embedder = new OfflineEmbedder('sluice-hash-v1', 384);
  await ensureCollection(s.pg, collection, embedder.model, embedder.dimensions, 'simple');
  const chroma = new ChromaStore({ url: s.env.SLUICE_CHROMA_URL!, tenant: 'default_tenant', database: 'default_database', token: undefined });
  const batcher = new StoreBatcher(chroma, { pool: s.pg, storeText: false });
  const documents: Chunk[][] = [];
  for (let i = 0; i < texts.length; i += CHUNKS_PER_DOCUMENT) {
    documents.push(texts.slice(i, i + CHUNKS_PER_DOCUMENT).map((t, index) => ({ index, ...t, hash: createHash('sha256').update(t.text).digest('hex') })));
  }
  const ids = documents.map(() => randomUUID());
  await s.pg.query(`INSERT INTO documents (id, collection, filename, state, lexical_indexed) SELECT unnest($1::uuid[]), $2, 'speed.pdf', 'succeeded', true`, [ids, collection]);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < documents.length) {
        const i = next++;
        const chunks = documents[i]!;
        await batcher.write(collection, ids[i]!, chunks, await embedder.embed(chunks.map((c) => c.text)), embedder.model, embedder.dimensions);
      }
    }),
  );
  return texts.length;
}
