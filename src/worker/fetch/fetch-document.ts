// Streams one job document from an http(s):// URL or an s3:// object, within the fetch limits.
import { DocumentError } from '../../shared/errors.ts';
import { FetchDeadline } from './fetch-deadline.ts';
import type { FetchSettings } from '../../shared/config/fetch-settings.ts';
import { httpGet } from './http-fetch.ts';
import { s3Get } from './s3-fetch.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** A custom S3-compatible endpoint (path-style addressing); AWS when absent. */
  endpoint?: string;
  region?: string;
}

export interface FetchOptions {
  /** The caller's cancellation; an abort rejects with the signal's reason. */
  signal: AbortSignal;
  /** For s3:// URIs; without it the SDK's default credential chain is used against AWS. */
  s3?: S3Credentials;
}

/**
 * The body of `uri`, as a stream of chunks. Fails with DocumentError('FetchFailed') — permanent
 * for 4xx and refused addresses (FetchRefused), transient for 5xx, 429, resets and timeouts — or
 * DocumentError('TooLarge') as soon as more than `s.maxBytes` arrive (or are announced). The
 * total timeout covers the body too: read it promptly, or stop iterating to close the socket.
 */
export async function fetchDocument(uri: string, s: FetchSettings, opts: FetchOptions): Promise<AsyncIterable<Buffer>> {
  const deadline = new FetchDeadline(opts.signal, s.timeoutMs);
  try {
    if (/^s3:\/\//i.test(uri)) {
      const target = opts.s3
        ? {
            credentials: { accessKeyId: opts.s3.accessKeyId, secretAccessKey: opts.s3.secretAccessKey },
            ...(opts.s3.endpoint ? { endpoint: opts.s3.endpoint } : {}),
            ...(opts.s3.region ? { region: opts.s3.region } : {}),
          }
        : {};
      return await s3Get(uri, s, deadline, target);
    }
    if (/^https?:\/\//i.test(uri)) return await httpGet(uri, s, deadline);
    throw new DocumentError('FetchFailed', `only http(s):// and s3:// URIs are fetched, got ${JSON.stringify(uri.slice(0, 200))}`, { permanent: true });
  } catch (e) {
    deadline.dispose();
    throw e;
  }
}

/** Reads a whole fetched body into one Buffer (it is already capped at `s.maxBytes`). */
export async function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks);
}
