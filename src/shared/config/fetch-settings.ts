// The worker's limits for fetching job documents and manifests from URLs and object stores,
// written into the worker pods by the operator (docs/jobs.md, "Fetching").
import { bool, ConfigError, decimal, int, type Env } from './env.ts';

export interface FetchSettings {
  /** Loopback and private ranges may be fetched (link-local and metadata addresses never). */
  allowPrivateNetworks: boolean;
  /** A body longer than this fails with TooLarge, checked while streaming. */
  maxBytes: number;
  connectTimeoutMs: number;
  /** For the whole fetch: connect, redirects, headers and body. */
  timeoutMs: number;
  maxRedirects: number;
  /** Lower-case host names never fetched: the cluster's own API and Redis Services. */
  denyHosts: string[];
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/;

function hostList(env: Env, key: string): string[] {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return [];
  const hosts = raw
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  for (const h of hosts) {
    if (!HOST_NAME.test(h)) throw new ConfigError(`${key} must be a comma-separated list of host names, got ${JSON.stringify(h)}`);
  }
  return hosts.map((h) => h.replace(/\.$/, ''));
}

export function loadFetchSettings(env: Env = process.env): FetchSettings {
  const uploadLimit = int(env, 'SLUICE_MAX_UPLOAD_BYTES', 104857600, 1024);
  return {
    allowPrivateNetworks: bool(env, 'SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS', false),
    maxBytes: int(env, 'SLUICE_FETCH_MAX_BYTES', uploadLimit, 1),
    connectTimeoutMs: Math.round(decimal(env, 'SLUICE_FETCH_CONNECT_TIMEOUT_SECONDS', 10, 0.001, 3600) * 1000),
    timeoutMs: Math.round(decimal(env, 'SLUICE_FETCH_TIMEOUT_SECONDS', 120, 0.001, 86400) * 1000),
    maxRedirects: int(env, 'SLUICE_FETCH_MAX_REDIRECTS', 5, 0, 20),
    denyHosts: hostList(env, 'SLUICE_FETCH_DENY_HOSTS'),
  };
}
