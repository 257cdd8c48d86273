// The parsers of the one configuration contract: every setting of the operator, the API and the
// worker is read through these, so a bad value fails at start with a message naming it.
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

export function str(env: Env, key: string, fallback?: string): string {
  const v = env[key];
  if (v !== undefined && v !== '') return v;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`${key} is required`);
}

export function optionalStr(env: Env, key: string): string | undefined {
  const v = env[key];
  return v === undefined || v === '' ? undefined : v;
}

export function decimal(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new ConfigError(`${key} must be a number, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function int(env: Env, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${key} must be an integer, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** true or false (any case); the fallback when unset or empty. */
export function bool(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError(`${key} must be true or false, got ${JSON.stringify(raw)}`);
}

export function url(env: Env, key: string, protocols: readonly string[], fallback?: string): string {
  const v = str(env, key, fallback);
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(`${key} must be a URL, got ${JSON.stringify(v)}`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${key} must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  return v;
}

/** One of `values`; the fallback when unset or empty. */
export function oneOf<const T extends readonly string[]>(env: Env, key: string, values: T, fallback: T[number]): T[number] {
  const v = str(env, key, fallback);
  if (!(values as readonly string[]).includes(v)) throw new ConfigError(`${key} must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  return v;
}

/** A comma-separated list of `values`, each once; the fallback when unset or empty. */
export function list<const T extends readonly string[]>(env: Env, key: string, values: T, fallback: T[number][]): T[number][] {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const items = [...new Set(raw.split(',').map((v) => v.trim()).filter(Boolean))];
  const bad = items.filter((v) => !(values as readonly string[]).includes(v));
  if (bad.length || items.length === 0) throw new ConfigError(`${key} must be a comma-separated list of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  return items as T[number][];
}
