import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../../src/shared/config/data-plane-config.ts';
import { ConfigError } from '../../../src/shared/config/env.ts';
import { loadFetchSettings } from '../../../src/shared/config/fetch-settings.ts';

describe('fetch settings from the environment', () => {
  it('applies the documented defaults', () => {
    expect(loadFetchSettings({})).toEqual({ allowPrivateNetworks: false, maxBytes: 104857600, connectTimeoutMs: 10_000, timeoutMs: 120_000, maxRedirects: 5, denyHosts: [] });
  });

  it('defaults the size limit to the upload limit', () => {
    expect(loadFetchSettings({ SLUICE_MAX_UPLOAD_BYTES: '2048' }).maxBytes).toBe(2048);
    expect(loadFetchSettings({ SLUICE_MAX_UPLOAD_BYTES: '2048', SLUICE_FETCH_MAX_BYTES: '4096' }).maxBytes).toBe(4096);
  });

  it('reads every variable', () => {
    const s = loadFetchSettings({
      SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'TRUE',
      SLUICE_FETCH_CONNECT_TIMEOUT_SECONDS: '0.5',
      SLUICE_FETCH_TIMEOUT_SECONDS: '30',
      SLUICE_FETCH_MAX_REDIRECTS: '0',
      SLUICE_FETCH_DENY_HOSTS: ' Demo-API , demo-redis.ns.svc.cluster.local.,, ',
    });
    expect(s).toMatchObject({ allowPrivateNetworks: true, connectTimeoutMs: 500, timeoutMs: 30_000, maxRedirects: 0, denyHosts: ['demo-api', 'demo-redis.ns.svc.cluster.local'] });
  });

  it('is part of the worker configuration', () => {
    const w = loadWorkerConfig({ SLUICE_POSTGRES_URL: 'postgres://u@db/x', SLUICE_CHROMA_URL: 'http://chroma:8000', SLUICE_FETCH_MAX_REDIRECTS: '2' });
    expect(w.fetch.maxRedirects).toBe(2);
  });

  it.each([
    [{ SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'yes' }, /SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS must be true or false/],
    [{ SLUICE_FETCH_MAX_BYTES: '10MB' }, /SLUICE_FETCH_MAX_BYTES must be an integer/],
    [{ SLUICE_FETCH_MAX_BYTES: '0' }, /SLUICE_FETCH_MAX_BYTES must be between 1/],
    [{ SLUICE_FETCH_CONNECT_TIMEOUT_SECONDS: '10s' }, /SLUICE_FETCH_CONNECT_TIMEOUT_SECONDS must be a number/],
    [{ SLUICE_FETCH_TIMEOUT_SECONDS: '0' }, /SLUICE_FETCH_TIMEOUT_SECONDS must be between/],
    [{ SLUICE_FETCH_MAX_REDIRECTS: '21' }, /SLUICE_FETCH_MAX_REDIRECTS must be between 0 and 20/],
    [{ SLUICE_FETCH_DENY_HOSTS: 'api, http://redis' }, /SLUICE_FETCH_DENY_HOSTS must be a comma-separated list of host names, got "http:\/\/redis"/],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => loadFetchSettings(env)).toThrow(ConfigError);
    expect(() => loadFetchSettings(env)).toThrow(message);
  });
});
