// API keys. The keys file holds one key per line, `name:sha256hex[:collection1,collection2]`;
// only the SHA-256 of a key is stored. A presented key is hashed and compared against every
// stored hash in constant time, so neither the match nor its position leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-error.ts';

export interface ApiKey {
  name: string;
  hash: Buffer;
  /** null = every collection. */
  collections: readonly string[] | null;
}

export class KeysFileError extends Error {
  override name = 'KeysFileError';
}

export function parseKeysFile(text: string): ApiKey[] {
  const keys: ApiKey[] = [];
  const names = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [name, hex, cols, ...rest] = line.split(':');
    if (!name || !hex || rest.length > 0) throw new KeysFileError(`line ${i + 1}: expected name:sha256hex[:collection,...]`);
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new KeysFileError(`line ${i + 1}: the key hash must be 64 hex characters (sha256)`);
    if (names.has(name)) throw new KeysFileError(`line ${i + 1}: duplicate key name ${name}`);
    names.add(name);
    const collections = cols === undefined || cols.trim() === '' ? null : cols.split(',').map((c) => c.trim()).filter(Boolean);
    keys.push({ name, hash: Buffer.from(hex, 'hex'), collections });
  });
  return keys;
}

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function authenticate(keys: readonly ApiKey[], presented: string | undefined): ApiKey | undefined {
  if (!presented) return undefined;
  const h = hashKey(presented);
  let found: ApiKey | undefined;
  for (const k of keys) if (timingSafeEqual(k.hash, h) && !found) found = k;
  return found;
}

export function mayUse(key: ApiKey, collection: string): boolean {
  return key.collections === null || key.collections.includes(collection);
}

/** 403 unless the key may use the collection. */
export function assertMayUse(key: ApiKey, collection: string): void {
  if (!mayUse(key, collection)) throw new HttpError(403, 'Forbidden', `API key ${key.name} may not use collection ${collection}`);
}

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers['authorization'];
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  const x = headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : undefined;
}
