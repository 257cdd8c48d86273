// One manifest line: a bare URI, or a JSON object {"uri", "name"?, "metadata"?} with string
// metadata values. URIs must be http(s):// or s3://bucket/key.

/** A manifest line that cannot be used; the message names the line. */
export class ManifestError extends Error {
  override name = 'ManifestError';
  readonly line: number;
  constructor(line: number, problem: string) {
    super(`manifest line ${line} ${problem}`);
    this.line = line;
  }
}

export interface ParsedLine {
  uri: string;
  name?: string;
  metadata?: Record<string, string>;
}

const MAX_NAME_CHARS = 1024;

function checkUri(uri: string, line: number): string {
  if (/^s3:\/\//i.test(uri)) {
    if (!/^s3:\/\/[^/?#\s]+\/.+$/i.test(uri)) throw new ManifestError(line, `has an s3 URI without a bucket and key: ${JSON.stringify(uri.slice(0, 200))}`);
    return uri;
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ManifestError(line, `is not a URI: ${JSON.stringify(uri.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ManifestError(line, `has a ${url.protocol}// URI; only http://, https:// and s3:// are fetched`);
  }
  if (/\s/.test(uri)) throw new ManifestError(line, 'has white space inside its URI');
  return uri;
}

function checkMetadata(value: unknown, line: number): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ManifestError(line, 'has "metadata" that is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new ManifestError(line, `has metadata ${JSON.stringify(k)} that is not a string`);
    out[k] = v;
  }
  return out;
}

/** Parses a non-blank, non-comment line (already trimmed). */
export function parseManifestLine(text: string, line: number): ParsedLine {
  if (!text.startsWith('{')) return { uri: checkUri(text, line) };
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(line, `is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ManifestError(line, 'is not a JSON object');
  const { uri, name, metadata, ...rest } = obj as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length) throw new ManifestError(line, `has unknown field ${JSON.stringify(unknownKeys[0])} (allowed: uri, name, metadata)`);
  if (typeof uri !== 'string') throw new ManifestError(line, 'has no "uri" string');
  const out: ParsedLine = { uri: checkUri(uri, line) };
  if (name !== undefined) {
    if (typeof name !== 'string' || name === '' || name.length > MAX_NAME_CHARS) throw new ManifestError(line, `has a "name" that is not a non-empty string of at most ${MAX_NAME_CHARS} characters`);
    out.name = name;
  }
  if (metadata !== undefined) out.metadata = checkMetadata(metadata, line);
  return out;
}
