// Which fetch failures are worth retrying (docs/jobs.md, "Fetching"): 4xx are permanent; 5xx,
// 408, 425, 429, resets, refused connections and timeouts are transient.
import { DocumentError } from '../../shared/errors.ts';

const TRANSIENT_STATUS = new Set([408, 425, 429]);

export function isTransientStatus(status: number): boolean {
  return status >= 500 || TRANSIENT_STATUS.has(status);
}

export function statusError(status: number, what: string, detail?: string): DocumentError {
  const message = `${what} answered ${status}${detail ? ` (${detail})` : ''}`;
  return new DocumentError('FetchFailed', message, { permanent: !isTransientStatus(status) });
}

const PERMANENT_CODES = new Set([
  'ENOTFOUND',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A socket or protocol failure: permanent only when a retry cannot change it (bad name, bad certificate). */
export function networkError(e: unknown, what: string): DocumentError {
  if (e instanceof DocumentError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const message = e instanceof Error ? e.message : String(e);
  return new DocumentError('FetchFailed', `${what} failed: ${code && !message.includes(code) ? `${code} ` : ''}${message}`, {
    cause: e,
    permanent: code !== undefined && PERMANENT_CODES.has(code),
  });
}

export function timeoutError(what: string, ms: number, phase: 'connect' | 'total'): DocumentError {
  const seconds = ms / 1000;
  const rule = phase === 'connect' ? 'SLUICE_FETCH_CONNECT_TIMEOUT_SECONDS' : 'SLUICE_FETCH_TIMEOUT_SECONDS';
  return new DocumentError('FetchFailed', `${what} timed out after ${seconds}s (${phase === 'connect' ? 'connecting' : 'in total'}; ${rule})`, { permanent: false });
}

export function tooLarge(what: string, maxBytes: number, seen: string): DocumentError {
  return new DocumentError('TooLarge', `${what} is larger than the fetch limit of ${maxBytes} bytes (${seen}; SLUICE_FETCH_MAX_BYTES)`);
}
