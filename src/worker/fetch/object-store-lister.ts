// Lists the PDFs under a bucket prefix a page at a time, for an IngestionJob's object-store
// source; the continuation token is S3's own, so a listing resumes where it stopped.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { FetchDeadline } from './fetch-deadline.ts';
import type { FetchSettings } from '../../shared/config/fetch-settings.ts';
import { checkEndpoint, s3Client, s3Error } from './s3-client.ts';

export interface ObjectStoreSource {
  /** An S3-compatible endpoint (path-style addressing); AWS when absent. */
  endpoint?: string;
  bucket: string;
  prefix: string;
  region?: string;
  /** Absent: the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface ObjectPage {
  /** The PDF keys of this page (keys ending .pdf, any case); may be fewer than pageSize, or none. */
  keys: { key: string; size: number }[];
  /** The continuation token of the next page; undefined when the listing is complete. */
  next: string | undefined;
}

export async function listPdfPage(src: ObjectStoreSource, continuationToken: string | undefined, pageSize: number, s: FetchSettings, signal?: AbortSignal): Promise<ObjectPage> {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new RangeError(`pageSize must be 1..1000, got ${pageSize}`);
  const what = `listing s3://${src.bucket}/${src.prefix}`;
  if (src.endpoint) await checkEndpoint(src.endpoint, s);
  const client = s3Client(
    {
      ...(src.endpoint ? { endpoint: src.endpoint } : {}),
      ...(src.region ? { region: src.region } : {}),
      ...(src.credentials ? { credentials: src.credentials } : {}),
    },
    s,
  );
  const deadline = new FetchDeadline(signal ?? new AbortController().signal, s.timeoutMs);
  try {
    const out = await client.send(
      new ListObjectsV2Command({ Bucket: src.bucket, Prefix: src.prefix, MaxKeys: pageSize, ...(continuationToken ? { ContinuationToken: continuationToken } : {}) }),
      { abortSignal: deadline.signal },
    );
    const keys = (out.Contents ?? []).filter((o) => o.Key !== undefined && /\.pdf$/i.test(o.Key)).map((o) => ({ key: o.Key!, size: o.Size ?? 0 }));
    return { keys, next: out.IsTruncated ? out.NextContinuationToken : undefined };
  } catch (e) {
    throw s3Error(e, what, deadline, s);
  } finally {
    deadline.dispose();
    client.destroy();
  }
}
