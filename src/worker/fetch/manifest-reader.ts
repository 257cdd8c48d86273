// Reads one page of a manifest: one URI per line, or JSON lines {"uri","name","metadata"};
// blank lines and #comments are skipped. A URL manifest is streamed from its start on every
// page: lines before `fromLine` are passed over without being kept, and reading stops as soon
// as the page is full and the next entry's line is known.
import { StringDecoder } from 'node:string_decoder';
import { fetchDocument } from './fetch-document.ts';
import type { FetchSettings } from '../../shared/config/fetch-settings.ts';
import { parseManifestLine } from './manifest-line.ts';

export { ManifestError, parseManifestLine } from './manifest-line.ts';
import { ManifestError } from './manifest-line.ts';

export interface ManifestSource {
  url?: string;
  content?: string;
}

export interface ManifestEntry {
  uri: string;
  name?: string;
  metadata?: Record<string, string>;
  /** 1-based line number in the manifest. */
  line: number;
}

export interface ManifestPage {
  entries: ManifestEntry[];
  /** The line to read the next page from (the next entry's line); null when none is left. */
  nextLine: number | null;
}

/** Longer lines are refused rather than buffered. */
export const MAX_LINE_CHARS = 64 * 1024;

/** The lines of a stream of chunks, numbered from 1, holding at most one line in memory. */
export async function* numberedLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<{ text: string; line: number }> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 1;
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      yield { text: pending.slice(0, nl), line: line++ };
      pending = pending.slice(nl + 1);
    }
    if (pending.length > MAX_LINE_CHARS) throw new ManifestError(line, `is longer than ${MAX_LINE_CHARS} characters`);
  }
  pending += decoder.end();
  if (pending !== '') yield { text: pending, line };
}

async function* single(content: string): AsyncGenerator<string> {
  yield content;
}

export async function readManifestPage(source: ManifestSource, fromLine: number, pageSize: number, s: FetchSettings, signal: AbortSignal): Promise<ManifestPage> {
  if (!Number.isInteger(fromLine) || fromLine < 1) throw new RangeError(`fromLine must be a positive integer, got ${fromLine}`);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  let chunks: AsyncIterable<Buffer | string>;
  if (source.content !== undefined) chunks = single(source.content);
  else if (source.url !== undefined) chunks = await fetchDocument(source.url, s, { signal });
  else throw new RangeError('a manifest source needs a url or content');

  const entries: ManifestEntry[] = [];
  // Leaving the loop early ends the generators, which closes the fetched body.
  for await (const { text, line } of numberedLines(chunks)) {
    if (line < fromLine) continue;
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (entries.length === pageSize) return { entries, nextLine: line };
    entries.push({ ...parseManifestLine(trimmed, line), line });
  }
  return { entries, nextLine: null };
}
