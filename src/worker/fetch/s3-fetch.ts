// GET of an s3://bucket/key object, streamed with the same size cap and deadline as http.
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DocumentError } from '../../shared/errors.ts';
import { cappedBody } from './capped-body.ts';
import type { FetchDeadline } from './fetch-deadline.ts';
import { tooLarge } from './fetch-errors.ts';
import type { FetchSettings } from '../../shared/config/fetch-settings.ts';
import { checkEndpoint, s3Client, s3Error, type S3Target } from './s3-client.ts';

/** Bucket and key of `s3://bucket/key`; the key is taken literally (no percent-decoding), as the AWS CLI does. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/?#]+)\/(.+)$/i.exec(uri);
  if (!m) throw new DocumentError('FetchFailed', `not an s3://bucket/key URI: ${JSON.stringify(uri.slice(0, 200))}`, { permanent: true });
  return { bucket: m[1]!, key: m[2]! };
}

export async function s3Get(uri: string, s: FetchSettings, deadline: FetchDeadline, target: S3Target): Promise<AsyncIterable<Buffer>> {
  const { bucket, key } = parseS3Uri(uri);
  const what = `s3://${bucket}/${key}`;
  if (target.endpoint) await checkEndpoint(target.endpoint, s);
  const client = s3Client(target, s);
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: deadline.signal });
    const body = out.Body;
    if (!(body instanceof Readable)) throw new DocumentError('FetchFailed', `${what}: the S3 client returned no readable body`, { permanent: false });
    if (out.ContentLength !== undefined && out.ContentLength > s.maxBytes) {
      body.destroy();
      throw tooLarge(what, s.maxBytes, `ContentLength ${out.ContentLength}`);
    }
    return cappedBody(body, s.maxBytes, what, deadline, () => client.destroy());
  } catch (e) {
    client.destroy();
    throw s3Error(e, what, deadline, s);
  }
}
