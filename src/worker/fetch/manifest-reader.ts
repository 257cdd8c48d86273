// Reads one page of a manifest: one URI per line, or JSON lines {"uri","name","metadata"}.
import type { FetchSettings } from './fetch-settings.ts';

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
  /** The line to read the next page from; null when the manifest is exhausted. */
  nextLine: number | null;
}

export async function readManifestPage(source: ManifestSource, fromLine: number, pageSize: number, s: FetchSettings, signal: AbortSignal): Promise<ManifestPage> {
  void source;
  void fromLine;
  void pageSize;
  void s;
  void signal;
  throw new Error('readManifestPage: not implemented yet');
}
