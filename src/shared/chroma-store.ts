// Chunk vectors in Chroma. Ids are `<document>:<chunk index>`, so writing the same document twice
// converges on one set; every write is an upsert cut into batches no larger than the server's
// own maximum; a document's old chunks are deleted before it is written again. Chunk text goes
// into the records' `documents` only when asked (stores.chroma.storeText): Chroma indexes that
// text for full-text search, which costs more server CPU than the rest of the record.
import type { Collection } from 'chromadb';
import type { Chunk } from './chunking.ts';
import { withDeadline } from './deadline.ts';
import { DocumentError } from './errors.ts';
import { PreEncodingChromaClient } from './pre-encoding-chroma-client.ts';

export interface ChromaSettings {
  url: string;
  tenant: string;
  database: string;
  token: string | undefined;
  /** Longest wait for one request; past it the store counts as unavailable. Default 60 s. */
  timeoutMs?: number;
}

export interface ChunkHit {
  documentId: string;
  chunkIndex: number;
  pageStart: number;
  pageEnd: number;
  /** null when the record was written without its text (storeText off). */
  text: string | null;
  /** SHA-256 of the chunk's text: identical chunks share it. */
  contentSha256: string;
  distance: number;
}

export interface DocumentChunks {
  documentId: string;
  chunks: readonly Chunk[];
  vectors: readonly number[][];
}

export interface WriteOptions {
  /** Put each chunk's text in the record's `documents`. Default true. */
  storeText?: boolean;
}

function chunkId(documentId: string, index: number): string {
  return `${documentId}:${index}`;
}

/** HNSW's candidate list at query time (Chroma's default trades too much recall). */
const HNSW_EF_SEARCH = 200;

export class ChromaStore {
  readonly #client: PreEncodingChromaClient;
  readonly #collections = new Map<string, Collection>();
  #maxBatch: number | undefined;
  readonly #timeoutMs: number;

  constructor(s: ChromaSettings) {
    this.#timeoutMs = s.timeoutMs ?? 60_000;
    const u = new URL(s.url);
    this.#client = new PreEncodingChromaClient({
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
      ssl: u.protocol === 'https:',
      tenant: s.tenant,
      database: s.database,
      ...(s.token ? { headers: { 'x-chroma-token': s.token } } : {}),
    });
  }

  async heartbeat(): Promise<void> {
    await this.#wrap(() => this.#client.heartbeat());
  }

  async #collection(name: string, model: string, dimensions: number, create: boolean): Promise<Collection | undefined> {
    let col = this.#collections.get(name);
    if (!col) {
      col = await this.#wrap(async () => {
        if (create) {
          return this.#client.getOrCreateCollection({
            name,
            embeddingFunction: null,
            metadata: { 'sluice:model': model, 'sluice:dimensions': dimensions },
            // A longer query candidate list than Chroma's 100: among many look-alike chunks the
            // default misses near chunks for far ones. Rarer, not gone: an unfiltered search can
            // still miss, a filtered one is exact. Insertion keeps its default, the Chroma server
            // being the pipeline's costliest stage.
            configuration: { hnsw: { space: 'cosine', ef_search: HNSW_EF_SEARCH } },
          });
        }
        try {
          return await this.#client.getCollection({ name, embeddingFunction: undefined });
        } catch (err) {
          if ((err as Error).name === 'ChromaNotFoundError') return undefined;
          throw err;
        }
      });
      if (!col) return undefined;
      this.#collections.set(name, col);
    }
    // Checked on every use, cached or not: one process may be asked for two configurations.
    const md = col.metadata ?? {};
    if (model !== '' && md['sluice:model'] !== undefined && (md['sluice:model'] !== model || md['sluice:dimensions'] !== dimensions)) {
      throw new DocumentError(
        'EmbeddingMismatch',
        `collection ${name} holds ${String(md['sluice:model'])}/${String(md['sluice:dimensions'])} vectors, configured ${model}/${dimensions}`,
      );
    }
    return col;
  }

  async maxBatchSize(): Promise<number> {
    this.#maxBatch ??= await this.#wrap(() => this.#client.getMaxBatchSize());
    return this.#maxBatch;
  }

  async deleteDocument(collection: string, documentId: string, model: string, dimensions: number): Promise<void> {
    const col = await this.#collection(collection, model, dimensions, false);
    if (!col) return;
    await this.#wrap(() => col.delete({ where: { document_id: documentId } }));
  }

  async upsertChunks(
    collection: string,
    documentId: string,
    chunks: readonly Chunk[],
    vectors: readonly number[][],
    model: string,
    dimensions: number,
    options: WriteOptions = {},
  ): Promise<void> {
    await this.upsertMany(collection, [{ documentId, chunks, vectors }], model, dimensions, options);
  }

  /** Chunks of several documents of one collection in as few requests as the server allows. */
  async upsertMany(collection: string, docs: readonly DocumentChunks[], model: string, dimensions: number, options: WriteOptions = {}): Promise<void> {
    const storeText = options.storeText ?? true;
    const col = await this.#collection(collection, model, dimensions, true);
    if (!col) throw new Error('unreachable: created collection missing');
    const max = await this.maxBatchSize();
    const rows = docs.flatMap((d) => d.chunks.map((c, i) => ({ documentId: d.documentId, c, v: d.vectors[i]! })));
    for (let i = 0; i < rows.length; i += max) {
      const part = rows.slice(i, i + max);
      await this.#wrap(async () =>
        col.upsert({
          ids: part.map((r) => chunkId(r.documentId, r.c.index)),
          embeddings: await this.#client.embeddingsForWrite(part.map((r) => r.v)),
          ...(storeText ? { documents: part.map((r) => r.c.text) } : {}),
          metadatas: part.map((r) => ({
            document_id: r.documentId,
            chunk_index: r.c.index,
            page_start: r.c.pageStart,
            page_end: r.c.pageEnd,
            content_sha256: r.c.hash,
          })),
        }),
      );
    }
  }

  /** Every chunk Chroma holds of these documents, with its text when it was written with it. */
  async documentChunks(collection: string, documentIds: readonly string[]): Promise<Omit<ChunkHit, 'distance'>[]> {
    const col = await this.#collection(collection, '', 0, false);
    if (!col || documentIds.length === 0) return [];
    const where = documentIds.length === 1 ? { document_id: documentIds[0]! } : { document_id: { $in: [...documentIds] } };
    const r = await this.#wrap(() => col.get({ where, include: ['documents', 'metadatas'] }));
    return r.ids.map((_, i) => {
      const md = r.metadatas[i] ?? {};
      return {
        documentId: String(md.document_id),
        chunkIndex: Number(md.chunk_index),
        pageStart: Number(md.page_start),
        pageEnd: Number(md.page_end),
        text: r.documents[i] ?? null,
        contentSha256: String(md.content_sha256 ?? ''),
      };
    });
  }

  async countDocumentChunks(collection: string, documentId: string): Promise<number> {
    const col = await this.#collection(collection, '', 0, false);
    if (!col) return 0;
    const r = await this.#wrap(() => col.get({ where: { document_id: documentId }, include: [] }));
    return r.ids.length;
  }

  /** The `n` nearest chunks, of the given documents only when `documentIds` is set. */
  async query(collection: string, vector: number[], n: number, model: string, dimensions: number, documentIds?: readonly string[]): Promise<ChunkHit[]> {
    const col = await this.#collection(collection, model, dimensions, false);
    if (!col) return [];
    if (documentIds?.length === 0) return [];
    const where = documentIds === undefined ? undefined : documentIds.length === 1 ? { document_id: documentIds[0]! } : { document_id: { $in: [...documentIds] } };
    const r = await this.#wrap(() => col.query({ queryEmbeddings: [vector], nResults: n, include: ['documents', 'metadatas', 'distances'], ...(where ? { where } : {}) }));
    const hits: ChunkHit[] = [];
    const ids = r.ids[0] ?? [];
    for (let i = 0; i < ids.length; i++) {
      const md = r.metadatas[0]?.[i] ?? {};
      const distance = r.distances[0]?.[i] ?? 1;
      hits.push({
        documentId: String(md.document_id),
        chunkIndex: Number(md.chunk_index),
        pageStart: Number(md.page_start),
        pageEnd: Number(md.page_end),
        text: r.documents[0]?.[i] ?? null,
        contentSha256: String(md.content_sha256 ?? ''),
        distance,
      });
    }
    return hits;
  }

  /** Any failure to talk to Chroma is a transient StoreUnavailable, unless already typed. */
  async #wrap<T>(fn: () => Promise<T>): Promise<T> {
    // The client has no request timeout: a server that accepts and never answers would hold a
    // document (still heartbeating, so never swept) for ever.
    try {
      return await withDeadline(fn(), this.#timeoutMs, () => new DocumentError('StoreUnavailable', `chroma did not answer within ${this.#timeoutMs} ms`));
    } catch (err) {
      if (err instanceof DocumentError) throw err;
      const name = (err as Error).name;
      if (name === 'ChromaNotFoundError') throw err;
      if (/dimension/i.test((err as Error).message)) throw new DocumentError('EmbeddingMismatch', `chroma: ${(err as Error).message}`, { cause: err });
      throw new DocumentError('StoreUnavailable', `chroma: ${(err as Error).message}`, { cause: err });
    }
  }
}
