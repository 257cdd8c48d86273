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

/** A failure of one document, with the taxonomy type that ends up in its record and metrics. */
export class DocumentError extends Error {
  readonly type: ErrorType;
  constructor(type: ErrorType, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = type;
    this.type = type;
  }
  get permanent(): boolean {
    return isPermanent(this.type);
  }
}

/**
 * Exponential backoff with "equal" jitter: between half and all of a ceiling that starts at base
 * and doubles per attempt up to cap, so retries spread out but never come back at once.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
