// Lists the PDFs under a bucket prefix a page at a time, for an IngestionJob's object-store source.
import type { FetchSettings } from './fetch-settings.ts';

export interface ObjectStoreSource {
  endpoint?: string;
  bucket: string;
  prefix: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface ObjectPage {
  keys: { key: string; size: number }[];
  /** The continuation token of the next page; undefined when the listing is complete. */
  next: string | undefined;
}

export async function listPdfPage(src: ObjectStoreSource, continuationToken: string | undefined, pageSize: number, s: FetchSettings): Promise<ObjectPage> {
  void src;
  void continuationToken;
  void pageSize;
  void s;
  throw new Error('listPdfPage: not implemented yet');
}
