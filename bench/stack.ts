// Processes for the benchmarks: see dev/src/local-stack.ts.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { multipartParts } from '../test/dataplane/support/multipart.ts';

export { startLocalStack as benchStack, type LocalStack as BenchStack } from '@sluice/devenv/local-stack';

/** A multipart upload's whole body, built before it is sent, and its Content-Type. */
export interface MultipartBody {
  body: Buffer;
  contentType: string;
}

/** The body of an upload of `file` to `collection`, as a client sends it (a boundary of its own). */
export function multipartBody(collection: string, file: Buffer, filename: string): MultipartBody {
  const boundary = `----sluice${randomBytes(8).toString('hex')}`;
  const { head, tail } = multipartParts(boundary, { collection }, filename);
  return { body: Buffer.concat([head, file, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * POSTs a multipart body built beforehand with node:http, in one write, on a connection of its
 * own: a benchmark's client then costs little beside the server it measures.
 */
export function postMultipart(base: string, key: string, { body, contentType }: MultipartBody): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = request(new URL('/v1/documents', base), {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType, 'content-length': body.length },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Uploads a file with node:http, as a client would (see postMultipart). */
export function multipartUpload(base: string, key: string, collection: string, file: Buffer, filename: string): Promise<number> {
  return postMultipart(base, key, multipartBody(collection, file, filename));
}

/** Uploads every file with `uploaders` concurrent clients; returns how many were not answered 202. */
export async function uploadAll(base: string, key: string, collection: string, paths: readonly string[], uploaders = 32): Promise<number> {
  let next = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: uploaders }, async () => {
      while (next < paths.length) {
        const path = paths[next++]!;
        if ((await multipartUpload(base, key, collection, readFileSync(path), 'doc.pdf')) !== 202) errors++;
      }
    }),
  );
  return errors;
}
