// Processes for the benchmarks: see src/dev/local-stack.ts.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { multipartParts } from '../test/dataplane/support/multipart.ts';

export { startLocalStack as benchStack, type LocalStack as BenchStack } from '../src/dev/local-stack.ts';

/** Streams a multipart upload with node:http (no whole-body buffering on the client either). */
export function multipartUpload(base: string, key: string, collection: string, file: Buffer, filename: string): Promise<number> {
  return import('node:http').then(
    (http) =>
      new Promise<number>((resolve, reject) => {
        const boundary = `----sluice${randomBytes(8).toString('hex')}`;
        const { head, tail } = multipartParts(boundary, { collection }, filename);
        const url = new URL('/v1/documents', base);
        const req = http.request(url, {
          method: 'POST',
          agent: false,
          headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + file.length + tail.length },
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.write(head);
        req.write(file);
        req.end(tail);
      }),
  );
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
