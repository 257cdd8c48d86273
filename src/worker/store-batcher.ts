// Group commit for Chroma writes. Each write to Chroma costs a fixed few milliseconds on top of
// its records, and a small document is a dozen chunks. Documents finishing while a write is in
// flight are therefore written together in the next one: no delay when the worker is idle,
// fewer requests when it is busy.
// With storeText off, the chunk text of a group goes to PostgreSQL in one statement before its
// vectors go to Chroma, so a hit search finds always has its text.
import type pg from 'pg';
import type { Chunk } from '../shared/chunking.ts';
import type { ChromaStore, DocumentChunks } from '../shared/chroma-store.ts';
import { deleteChunkTexts, saveChunkTexts } from '../shared/db/chunk-texts.ts';

interface Entry extends DocumentChunks {
  collection: string;
  model: string;
  dimensions: number;
  resolve(): void;
  reject(err: unknown): void;
}

export interface StoreBatcherOptions {
  /** Where chunk text is kept when Chroma does not hold it. */
  pool: pg.Pool;
  /** stores.chroma.storeText: chunk text in Chroma's `documents` (true) or in PostgreSQL. */
  storeText: boolean;
}

export class StoreBatcher {
  readonly #store: ChromaStore;
  readonly #pool: pg.Pool;
  readonly #storeText: boolean;
  #pending: Entry[] = [];
  #flushing = false;
  /** Requests made, for tests and curiosity. */
  flushes = 0;

  constructor(store: ChromaStore, options: StoreBatcherOptions) {
    this.#store = store;
    this.#pool = options.pool;
    this.#storeText = options.storeText;
  }

  /**
   * Removes what an earlier write of a document may have left, wherever the text went then: the
   * setting may have changed since.
   */
  async removeDocument(collection: string, documentId: string, model: string, dimensions: number): Promise<void> {
    await this.#store.deleteDocument(collection, documentId, model, dimensions);
    await deleteChunkTexts(this.#pool, documentId);
  }

  write(collection: string, documentId: string, chunks: readonly Chunk[], vectors: readonly number[][], model: string, dimensions: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ collection, documentId, chunks, vectors, model, dimensions, resolve, reject });
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0);
        const groups = new Map<string, Entry[]>();
        for (const e of batch) {
          const k = `${e.collection}\u0000${e.model}\u0000${e.dimensions}`;
          groups.set(k, [...(groups.get(k) ?? []), e]);
        }
        for (const entries of groups.values()) {
          const first = entries[0]!;
          this.flushes++;
          try {
            if (!this.#storeText) {
              await saveChunkTexts(
                this.#pool,
                entries.flatMap((e) => e.chunks.map((c) => ({ documentId: e.documentId, chunkIndex: c.index, text: c.text }))),
              );
            }
            await this.#store.upsertMany(first.collection, entries, first.model, first.dimensions, { storeText: this.#storeText });
            for (const e of entries) e.resolve();
          } catch (err) {
            for (const e of entries) e.reject(err);
          }
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
