// GET over http(s) with the SSRF guard on every hop: redirects are followed by hand so that each
// Location is checked like the first URL, and each socket resolves through the guard's lookup.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { DocumentError } from '../../shared/errors.ts';
import { cappedBody } from './capped-body.ts';
import type { FetchDeadline } from './fetch-deadline.ts';
import { statusError, timeoutError, tooLarge } from './fetch-errors.ts';
import type { FetchSettings } from '../../shared/config/fetch-settings.ts';
import { checkHost, guardedLookup } from './ssrf-guard.ts';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The URL without its query and credentials, for messages (a pre-signed query is a secret). */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function parseHttpUrl(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new DocumentError('FetchFailed', `not a URL: ${JSON.stringify(uri.slice(0, 200))}`, { permanent: true });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DocumentError('FetchFailed', `${describeUrl(url)}: only http(s):// and s3:// URIs are fetched`, { permanent: true });
  }
  return url;
}

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).href;
  } catch {
    throw new DocumentError('FetchFailed', `${describeUrl(base)} redirected to an invalid Location ${JSON.stringify(location.slice(0, 200))}`, { permanent: true });
  }
}

async function request(url: URL, s: FetchSettings, deadline: FetchDeadline): Promise<IncomingMessage> {
  const what = describeUrl(url);
  // An IP literal never reaches the lookup: check it here, before any socket exists.
  if (isIP(url.hostname.replace(/^\[|\]$/g, ''))) await checkHost(url.hostname, s);
  deadline.check(what);
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: 'GET',
      agent: false,
      lookup: guardedLookup(s),
      signal: deadline.signal,
      headers: { 'user-agent': 'sluice-worker', accept: 'application/pdf, */*' },
    });
    const connectTimer = setTimeout(() => req.destroy(timeoutError(what, s.connectTimeoutMs, 'connect')), s.connectTimeoutMs);
    req.once('socket', (socket) => {
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
    });
    req.once('response', (res) => {
      clearTimeout(connectTimer);
      resolve(res);
    });
    req.once('error', (e) => {
      clearTimeout(connectTimer);
      reject(e instanceof DocumentError ? e : deadline.error(e, what));
    });
    req.end();
  });
}

/** Follows up to `s.maxRedirects` redirects and returns the capped body of the final answer. */
export async function httpGet(uri: string, s: FetchSettings, deadline: FetchDeadline): Promise<AsyncIterable<Buffer>> {
  let url = parseHttpUrl(uri);
  for (let hop = 0; ; hop++) {
    const res = await request(url, s, deadline);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location) {
      res.destroy();
      if (hop >= s.maxRedirects) {
        throw new DocumentError('FetchFailed', `${describeUrl(url)}: more than ${s.maxRedirects} redirects (SLUICE_FETCH_MAX_REDIRECTS)`, { permanent: true });
      }
      url = parseHttpUrl(resolveLocation(location, url));
      continue;
    }
    if (status < 200 || status > 299) {
      res.destroy();
      throw statusError(status, describeUrl(url));
    }
    const length = Number(res.headers['content-length']);
    if (Number.isFinite(length) && length > s.maxBytes) {
      res.destroy();
      throw tooLarge(describeUrl(url), s.maxBytes, `Content-Length ${length}`);
    }
    return cappedBody(res, s.maxBytes, describeUrl(url), deadline);
  }
}
