import { describe, expect, it } from 'vitest';
import { deniedHost, ipv6Bytes, refusedAddress } from '../../../src/worker/fetch/address-rules.ts';
import { checkHost, FetchRefused, guardedLookup } from '../../../src/worker/fetch/ssrf-guard.ts';
import type { FetchSettings } from '../../../src/shared/config/fetch-settings.ts';

describe('refusedAddress', () => {
  it.each([
    // always refused, whatever the settings
    ['169.254.169.254', true, /link-local 169\.254/],
    ['169.254.0.1', true, /link-local/],
    ['0.0.0.0', true, /unspecified network/],
    ['0.1.2.3', true, /unspecified network/],
    ['224.0.0.1', true, /multicast/],
    ['239.255.255.250', true, /multicast/],
    ['255.255.255.255', true, /reserved/],
    ['::', true, /unspecified address/],
    ['fe80::1', true, /link-local fe80/],
    ['febf:ffff::1', true, /link-local fe80/],
    ['fe80::1%eth0', true, /link-local fe80/],
    ['fd00:ec2::254', true, /metadata address fd00:ec2::254/],
    ['ff02::1', true, /multicast ff00/],
    ['::ffff:169.254.169.254', true, /link-local 169\.254/],
    ['::ffff:a9fe:a9fe', true, /link-local 169\.254/],
    ['64:ff9b::a9fe:a9fe', true, /link-local 169\.254/],
    ['2002:a9fe:a9fe::1', true, /link-local 169\.254/],
    // private: refused unless allowed
    ['127.0.0.1', false, /loopback 127\.0\.0\.0\/8 is not fetched unless SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS/],
    ['127.255.255.254', false, /loopback/],
    ['::1', false, /loopback ::1/],
    ['0:0:0:0:0:0:0:1', false, /loopback ::1/],
    ['10.0.0.1', false, /10\.0\.0\.0\/8/],
    ['172.16.0.1', false, /172\.16\.0\.0\/12/],
    ['172.31.255.255', false, /172\.16\.0\.0\/12/],
    ['192.168.1.1', false, /192\.168/],
    ['100.64.0.1', false, /100\.64\.0\.0\/10/],
    ['100.127.255.255', false, /100\.64\.0\.0\/10/],
    ['198.18.0.1', false, /198\.18\.0\.0\/15/],
    ['198.19.255.255', false, /198\.18\.0\.0\/15/],
    ['fc00::1', false, /unique local/],
    ['fd12:3456::1', false, /unique local/],
    ['::ffff:127.0.0.1', false, /loopback 127/],
    ['::ffff:10.1.2.3', false, /10\.0\.0\.0\/8/],
    ['::127.0.0.1', false, /loopback 127/],
  ])('%s is refused (always: %s)', (ip, always, rule) => {
    expect(refusedAddress(ip, false)).toMatch(rule);
    if (always) expect(refusedAddress(ip, true)).toMatch(rule);
    else expect(refusedAddress(ip, true)).toBeUndefined();
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '198.17.255.255', '198.20.0.1', '169.253.255.255', '223.255.255.255', '2001:4860:4860::8888', '2606:4700::1111', 'fec0::1', '::ffff:8.8.8.8'])(
    '%s may be fetched',
    (ip) => {
      expect(refusedAddress(ip, false)).toBeUndefined();
      expect(refusedAddress(ip, true)).toBeUndefined();
    },
  );

  it('refuses what is not an address', () => {
    expect(refusedAddress('example.com', true)).toMatch(/not an IP address/);
    expect(refusedAddress('1.2.3', true)).toMatch(/not an IP address/);
  });

  it('parses IPv6 forms to the same bytes', () => {
    expect(ipv6Bytes('::ffff:1.2.3.4')).toEqual(ipv6Bytes('0:0:0:0:0:ffff:102:304'));
    expect(ipv6Bytes('fd00:ec2::254')).toEqual(ipv6Bytes('fd00:0ec2:0:0:0:0:0:0254'));
    expect(ipv6Bytes('1::')).toEqual(Uint8Array.from([0, 1, ...new Array<number>(14).fill(0)]));
    expect(ipv6Bytes('nope')).toBeUndefined();
  });
});

describe('deniedHost', () => {
  const deny = ['demo-api', 'demo-redis.sluice-demo'];
  it.each([
    ['demo-api', 'demo-api'],
    ['DEMO-API.', 'demo-api'],
    ['demo-api.any-ns.svc', 'demo-api'],
    ['demo-api.any-ns.svc.cluster.local', 'demo-api'],
    ['demo-redis.sluice-demo', 'demo-redis.sluice-demo'],
    ['demo-redis.sluice-demo.svc', 'demo-redis.sluice-demo'],
    ['demo-redis.sluice-demo.svc.cluster.local', 'demo-redis.sluice-demo'],
  ])('%s is denied by %s', (host, entry) => {
    expect(deniedHost(host, deny)).toBe(entry);
  });

  it.each(['demo-api.example.com', 'demo-apix', 'demo-redis', 'demo-redis.other-ns.svc', 'api.demo-api.ns.svc', 'example.com'])('%s is not denied', (host) => {
    expect(deniedHost(host, deny)).toBeUndefined();
  });

  it('takes a fully qualified entry as its service', () => {
    expect(deniedHost('demo-api.ns', ['demo-api.ns.svc.cluster.local'])).toBe('demo-api.ns.svc.cluster.local');
    expect(deniedHost('demo-api.other.svc', ['demo-api.ns.svc.cluster.local'])).toBeUndefined();
  });
});

describe('checkHost', () => {
  const s: FetchSettings = { allowPrivateNetworks: false, maxBytes: 1, connectTimeoutMs: 1000, timeoutMs: 1000, maxRedirects: 0, denyHosts: ['demo-api'] };

  it('refuses a literal without resolving, naming the address and rule', async () => {
    const e = await checkHost('169.254.169.254', s).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FetchRefused);
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: true, address: '169.254.169.254' });
    expect((e as Error).message).toMatch(/refused to fetch from 169\.254\.169\.254: link-local/);
  });

  it('refuses a bracketed IPv6 literal and a name resolving to loopback', async () => {
    await expect(checkHost('[::1]', s)).rejects.toThrow(/loopback ::1/);
    await expect(checkHost('localhost', s)).rejects.toThrow(/refused to fetch from localhost \((127\.0\.0\.1|::1)\): loopback/);
    await expect(checkHost('localhost', { ...s, allowPrivateNetworks: true })).resolves.not.toHaveLength(0);
  });

  it('refuses a deny-listed name before resolving it', async () => {
    await expect(checkHost('demo-api.ns.svc.cluster.local', { ...s, allowPrivateNetworks: true })).rejects.toThrow(/demo-api is listed in SLUICE_FETCH_DENY_HOSTS/);
  });

  it('refuses the addresses of deny-listed names too', async () => {
    await expect(checkHost('127.0.0.1', { ...s, allowPrivateNetworks: true, denyHosts: ['localhost'] })).rejects.toThrow(/address of localhost/);
  });
});

describe('guardedLookup', () => {
  const s: FetchSettings = { allowPrivateNetworks: true, maxBytes: 1, connectTimeoutMs: 1000, timeoutMs: 1000, maxRedirects: 0, denyHosts: [] };
  const call = (host: string, options: { all?: boolean; family?: number }, settings = s) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family: unknown }>((resolve) => {
      guardedLookup(settings)(host, options as never, (err, address, family) => resolve({ err, address, family }));
    });

  it('hands the socket only the addresses that were checked', async () => {
    const one = await call('localhost', { family: 4 });
    expect(one).toEqual({ err: null, address: '127.0.0.1', family: 4 });
    const all = await call('localhost', { all: true });
    expect(all.err).toBeNull();
    expect(all.address).toEqual(expect.arrayContaining([{ address: '127.0.0.1', family: 4 }]));
  });

  it('fails the connection with FetchRefused for a refused name', async () => {
    const refused = await call('localhost', {}, { ...s, allowPrivateNetworks: false });
    expect(refused.err).toBeInstanceOf(FetchRefused);
  });
});
