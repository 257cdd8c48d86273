// Refuses to fetch from addresses a document URI must never reach: link-local and metadata
// addresses, the cluster's own services, and (unless allowed) loopback and private ranges.
import { DocumentError } from '../../shared/errors.ts';
import type { FetchSettings } from './fetch-settings.ts';

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

/** Resolves `host` and returns the addresses it may be fetched from, or throws FetchRefused. */
export async function checkHost(host: string, s: FetchSettings): Promise<CheckedAddress[]> {
  void host;
  void s;
  throw new Error('checkHost: not implemented yet');
}
