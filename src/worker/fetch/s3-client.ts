// An S3 client for job sources: sockets resolve through the SSRF guard, custom endpoints use
// path-style addressing, no retries of its own (the worker retries transient failures), and
// its errors are mapped to FetchFailed with the same permanent/transient rule as http.
import http from 'node:http';
import https from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { DocumentError } from '../../shared/errors.ts';
import type { FetchDeadline } from './fetch-deadline.ts';
import { statusError, timeoutError } from './fetch-errors.ts';
import type { FetchSettings } from '../../shared/config/fetch-settings.ts';
import { checkHost, guardedLookup } from './ssrf-guard.ts';

export interface S3Target {
  /** An S3-compatible endpoint such as http://minio:9000; AWS when absent. */
  endpoint?: string;
  region?: string;
  /** Absent: the SDK's default chain (environment, web identity, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Checks a custom endpoint's scheme and host against the guard before any request. */
export async function checkEndpoint(endpoint: string, s: FetchSettings): Promise<void> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new DocumentError('FetchFailed', `the S3 endpoint ${JSON.stringify(endpoint)} is not a URL`, { permanent: true });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DocumentError('FetchFailed', `the S3 endpoint ${url.host} must use http:// or https://`, { permanent: true });
  }
  await checkHost(url.hostname, s);
}

export function s3Client(target: S3Target, s: FetchSettings): S3Client {
  const lookup = guardedLookup(s);
  return new S3Client({
    region: target.region ?? 'us-east-1',
    ...(target.endpoint ? { endpoint: target.endpoint, forcePathStyle: true } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
    maxAttempts: 1,
    requestHandler: {
      httpAgent: new http.Agent({ lookup }),
      httpsAgent: new https.Agent({ lookup }),
      connectionTimeout: s.connectTimeoutMs,
      requestTimeout: s.timeoutMs,
    },
  });
}

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The DocumentError for an S3 call's failure. */
export function s3Error(e: unknown, what: string, deadline: FetchDeadline, s: FetchSettings): unknown {
  if (e instanceof DocumentError) return e;
  const err = (e ?? {}) as SdkError;
  const cause = (e as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof DocumentError) return cause;
  const status = err.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 400) return statusError(status, what, err.name);
  if (err.name === 'TimeoutError' || err.code === 'TimeoutError') {
    return timeoutError(what, /connection/i.test(err.message ?? '') ? s.connectTimeoutMs : s.timeoutMs, /connection/i.test(err.message ?? '') ? 'connect' : 'total');
  }
  return deadline.error(e, what);
}
