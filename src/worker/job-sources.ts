// One page of a job's source, from a cursor: inline entries by index, manifest lines by line
// number, object-store keys by continuation token. Nothing but the page is ever held.
import type { JobSpec, SourceEntry } from '../shared/jobs/job-spec.ts';
import type { FetchSettings } from '../shared/config/fetch-settings.ts';
import { readManifestPage } from './fetch/manifest-reader.ts';
import { listPdfPage } from './fetch/object-store-lister.ts';

export interface SourcePage {
  entries: SourceEntry[];
  /** Where the next page starts; null when the source is exhausted. */
  next: string | null;
}

// A URL manifest is read from its start for every page, so its pages are large.
const MANIFEST_PAGE = 5_000;
const LIST_PAGE = 1_000;
const INLINE_PAGE = 1_000;

export async function readSourcePage(spec: JobSpec, cursor: string | null, s: FetchSettings, signal: AbortSignal): Promise<SourcePage> {
  const src = spec.sources;
  if (src.inline) {
    const from = Number(cursor ?? 0);
    const to = from + INLINE_PAGE;
    return { entries: src.inline.slice(from, to), next: to < src.inline.length ? String(to) : null };
  }
  if (src.manifest) {
    const m = src.manifest;
    const page = await readManifestPage(m.url !== undefined ? { url: m.url } : { content: m.content ?? '' }, Number(cursor ?? 1), MANIFEST_PAGE, s, signal);
    return { entries: page.entries.map(({ uri, name, metadata }) => ({ uri, name, metadata })), next: page.nextLine === null ? null : String(page.nextLine) };
  }
  const o = src.objectStore!;
  const page = await listPdfPage(
    {
      bucket: o.bucket,
      prefix: o.prefix,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.region ? { region: o.region } : {}),
      ...(o.credentials ? { credentials: o.credentials } : {}),
    },
    cursor ?? undefined,
    LIST_PAGE,
    s,
    signal,
  );
  return { entries: page.keys.map((k) => ({ uri: `s3://${o.bucket}/${k.key}` })), next: page.next ?? null };
}

/** Display name of a document: the entry's name, else the last path segment of its URI. */
export function displayName(e: SourceEntry): string {
  if (e.name) return e.name;
  const path = e.uri.replace(/[?#].*$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // not percent-encoded: keep it as it is
  }
  return (name || path).slice(0, 512);
}
