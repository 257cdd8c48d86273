// A chromadb client whose writes carry embeddings encoded by Buffer. The client (3.5.0) turns
// each vector into base64 through a string of one character per byte and btoa, which costs more
// than the Chroma server's own work on a record without its text (docs/benchmarks.md).
// This keeps the client's protocol and moves only that step: the client is told the server lacks
// base64 support, so it passes vectors through untouched, and each vector is a Float32Array
// whose JSON form is the base64 the client would have sent (float32 in this machine's byte
// order, as the client's own Float32Array makes it). The server tells the two forms apart by
// their JSON type; a server without base64 support gets plain number arrays.
import { ChromaClient } from 'chromadb';

/** A vector as the client's validation sees it (`every`, `length`), serialized as base64. */
export type EncodedEmbedding = Float32Array & { toJSON(): string };

export function encodeEmbedding(v: readonly number[]): EncodedEmbedding {
  const f = Float32Array.from(v);
  const base64 = Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
  return Object.assign(f, { toJSON: () => base64 });
}

export class PreEncodingChromaClient extends ChromaClient {
  #base64: Promise<boolean> | undefined;

  /** The vectors in the form to pass as `embeddings` to this client's add, upsert or update. */
  async embeddingsForWrite(vectors: readonly (readonly number[])[]): Promise<number[][]> {
    this.#base64 ??= this.#takeOverEncoding();
    let base64: boolean;
    try {
      base64 = await this.#base64;
    } catch (err) {
      this.#base64 = undefined; // not cached: the next write asks the server again
      throw err;
    }
    // The client's types want number[]; what it does with an embedding (every, length, JSON) a
    // Float32Array does as well.
    return base64 ? (vectors.map(encodeEmbedding) as unknown as number[][]) : (vectors as number[][]);
  }

  async #takeOverEncoding(): Promise<boolean> {
    const checks = await this.getPreflightChecks();
    this.preflightChecks = { ...checks, supports_base64_encoding: false };
    return checks.supports_base64_encoding === true;
  }
}
