// The typed failure taxonomy. The names come from the CRD enum so that status, metrics and the
// API all speak the same words; whether a type is retried is decided here, in one table.
import type { ErrorType } from '../crd/common.ts';

export type { ErrorType };

const PERMANENT: Record<ErrorType, boolean> = {
  Encrypted: true,
  Corrupt: true,
  NoTextLayer: true,
  TooLarge: true,
  TooManyPages: true,
  Timeout: true,
  OutOfMemory: true,
  OcrTimeout: true,
  OcrFailed: true,
  FetchFailed: true,
  EmbeddingMismatch: true,
  StoreUnavailable: false,
  EmbeddingUnavailable: false,
  RateLimited: false,
  Unknown: false,
};

export function isPermanent(type: ErrorType): boolean {
  return PERMANENT[type];
}

/**
 * A failure of one document, with the taxonomy type that ends up in its record and metrics.
 * `permanent` overrides the type's default where one type covers both kinds: a fetch that got
 * 404 will never succeed, one that got 503 may.
 */
export class DocumentError extends Error {
  readonly type: ErrorType;
  readonly #permanent: boolean | undefined;
  constructor(type: ErrorType, message: string, options?: { cause?: unknown; permanent?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = type;
    this.type = type;
    this.#permanent = options?.permanent;
  }
  get permanent(): boolean {
    return this.#permanent ?? isPermanent(this.type);
  }
}
