// Refuses to fetch from addresses a document URI must never reach: link-local and metadata
// addresses, the cluster's own services, and (unless allowed) loopback and private ranges.
// The check runs in the socket's own `lookup`, so the address that was checked is the one
// connected to: a name that resolves differently a moment later (DNS rebinding) cannot slip by.
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { DocumentError } from '../../shared/errors.ts';
import { deniedHost, refusedAddress } from './address-rules.ts';
import type { FetchSettings } from '../../shared/config/fetch-settings.ts';

export { deniedHost, refusedAddress } from './address-rules.ts';

/** A fetch refused before connecting: permanent FetchFailed naming the address and the rule. */
export class FetchRefused extends DocumentError {
  readonly host: string;
  readonly address: string | undefined;
  readonly rule: string;
  constructor(host: string, address: string | undefined, rule: string) {
    super('FetchFailed', `refused to fetch from ${host}${address && address !== host ? ` (${address})` : ''}: ${rule}`, { permanent: true });
    this.host = host;
    this.address = address;
    this.rule = rule;
  }
}

export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

const DENIED_ADDRESSES_TTL_MS = 30_000;
let deniedCache: { key: string; at: number; addresses: Promise<Map<string, string>> } | undefined;

/** The addresses the deny-listed names resolve to now (cached briefly), so an IP literal cannot bypass them. */
function deniedAddresses(denyHosts: readonly string[]): Promise<Map<string, string>> {
  const key = denyHosts.join(',');
  if (deniedCache && deniedCache.key === key && Date.now() - deniedCache.at < DENIED_ADDRESSES_TTL_MS) return deniedCache.addresses;
  const addresses = Promise.all(
    denyHosts.map(async (h) => {
      try {
        return (await dnsLookup(h, { all: true, verbatim: true })).map((a) => [a.address, h] as const);
      } catch {
        return [];
      }
    }),
  ).then((lists) => new Map(lists.flat()));
  deniedCache = { key, at: Date.now(), addresses };
  return addresses;
}

function checkAddress(host: string, address: string, denied: Map<string, string>, s: FetchSettings): void {
  const rule = refusedAddress(address, s.allowPrivateNetworks);
  if (rule) throw new FetchRefused(host, address, rule);
  const name = denied.get(address);
  if (name) throw new FetchRefused(host, address, `it is the address of ${name}, listed in SLUICE_FETCH_DENY_HOSTS`);
}

function resolveError(host: string, e: unknown): DocumentError {
  const code = (e as NodeJS.ErrnoException).code;
  // A name that does not exist will not start existing on a retry; a DNS server that did not answer may.
  const permanent = code === 'ENOTFOUND' || code === 'ENODATA';
  return new DocumentError('FetchFailed', `cannot resolve ${host}: ${code ?? String(e)}`, { cause: e, permanent });
}

/**
 * Resolves `host` (a name or an IP literal, IPv6 with or without brackets) and returns the
 * addresses it may be fetched from; throws FetchRefused if the name is deny-listed or any
 * address it resolves to is refused.
 */
export async function checkHost(host: string, s: FetchSettings): Promise<CheckedAddress[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const denyName = deniedHost(bare, s.denyHosts);
  if (denyName) throw new FetchRefused(host, undefined, `${denyName} is listed in SLUICE_FETCH_DENY_HOSTS`);
  const denied = s.denyHosts.length ? await deniedAddresses(s.denyHosts) : new Map<string, string>();
  const literal = isIP(bare);
  let found: LookupAddress[];
  if (literal) found = [{ address: bare, family: literal }];
  else {
    try {
      found = await dnsLookup(bare, { all: true, verbatim: true });
    } catch (e) {
      throw resolveError(host, e);
    }
  }
  if (found.length === 0) throw resolveError(host, Object.assign(new Error('no addresses'), { code: 'ENODATA' }));
  for (const a of found) checkAddress(host, a.address, denied, s);
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/**
 * A `lookup` for sockets (http.request, http.Agent, the AWS SDK's handler) that resolves through
 * checkHost, so the socket connects only to an address that passed the guard.
 */
export function guardedLookup(s: FetchSettings): LookupFunction {
  return (hostname, options, callback) => {
    checkHost(hostname, s).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no IPv${options.family} address`), { code: 'ENOTFOUND' }), '', 0);
        } else if (options.all) {
          (callback as unknown as (err: null, addresses: CheckedAddress[]) => void)(null, wanted);
        } else {
          callback(null, wanted[0]!.address, wanted[0]!.family);
        }
      },
      (e: NodeJS.ErrnoException) => callback(e, '', 0),
    );
  };
}
