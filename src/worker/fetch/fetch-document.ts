// Streams one job document from an http(s):// URL or an s3:// object, within the fetch limits.
import type { FetchSettings } from './fetch-settings.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** A custom S3-compatible endpoint (path-style addressing); AWS when absent. */
  endpoint?: string;
  region?: string;
}

export interface FetchOptions {
  signal: AbortSignal;
  s3?: S3Credentials;
}

/**
 * The body of `uri`, as a stream of chunks. Fails with DocumentError('FetchFailed') — permanent
 * for 4xx and refused addresses, transient for 5xx, 429, resets and timeouts — or
 * DocumentError('TooLarge') once more than `s.maxBytes` arrive.
 */
export async function fetchDocument(uri: string, s: FetchSettings, opts: FetchOptions): Promise<AsyncIterable<Buffer>> {
  void uri;
  void s;
  void opts;
  throw new Error('fetchDocument: not implemented yet');
}
