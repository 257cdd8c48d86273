// Group commit for Chroma writes. Each write to Chroma costs a fixed few milliseconds on top of
// its records, and a small document is a dozen chunks. Documents finishing while a write is in
// flight are therefore written together in the next one: no delay when the worker is idle,
// fewer requests when it is busy.
// Each group's chunks go to PostgreSQL (text, pages, tsvector) in one statement before their
// vectors go to Chroma, so a hit of either leg of search always has its text; Chroma gets the
// text too only with storeText on.
import type pg from 'pg';
import type { Chunk } from '../shared/chunking.ts';
import type { ChromaStore, DocumentChunks } from '../shared/chroma-store.ts';
import { deleteChunks, saveChunks } from '../shared/db/chunks.ts';

interface Entry extends DocumentChunks {
  collection: string;
  model: string;
  dimensions: number;
  resolve(): void;
  reject(err: unknown): void;
}

export interface StoreBatcherOptions {
  /** Where every chunk is kept for lexical search and hits' text. */
  pool: pg.Pool;
  /** stores.chroma.storeText: chunk text in Chroma's `documents` as well. */
  storeText: boolean;
  /** How chunks are kept in PostgreSQL; a benchmark weighs the lexical index against plain text rows. */
  saveChunks?: typeof saveChunks;
}

export class StoreBatcher {
  readonly #store: ChromaStore;
  readonly #pool: pg.Pool;
  readonly #storeText: boolean;
  readonly #saveChunks: typeof saveChunks;
  #pending: Entry[] = [];
  #flushing = false;
  /** Requests made, for tests and curiosity. */
  flushes = 0;

  constructor(store: ChromaStore, options: StoreBatcherOptions) {
    this.#store = store;
    this.#pool = options.pool;
    this.#storeText = options.storeText;
    this.#saveChunks = options.saveChunks ?? saveChunks;
  }

  /**
   * Removes what an earlier write of a document may have left in Chroma and PostgreSQL (a
   * reindex may write fewer chunks).
   */
  async removeDocument(collection: string, documentId: string, model: string, dimensions: number): Promise<void> {
    await this.#store.deleteDocument(collection, documentId, model, dimensions);
    await deleteChunks(this.#pool, documentId);
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
            await this.#saveChunks(
              this.#pool,
              entries.flatMap((e) =>
                e.chunks.map((c) => ({ documentId: e.documentId, chunkIndex: c.index, text: c.text, pageStart: c.pageStart, pageEnd: c.pageEnd, contentSha256: c.hash, textSource: c.textSource ?? 'native' })),
              ),
            );
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
