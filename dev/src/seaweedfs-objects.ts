// Seeding a SeaweedFS (or any S3-compatible server) for tests and `npm start`: an admin client,
// a bucket, objects.
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SeaweedFs } from './seaweedfs.ts';

export function s3AdminClient(sw: Pick<SeaweedFs, 's3Url' | 'accessKeyId' | 'secretAccessKey' | 'region'>): S3Client {
  return new S3Client({
    endpoint: sw.s3Url,
    region: sw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: sw.accessKeyId, secretAccessKey: sw.secretAccessKey },
  });
}

/** Creates `bucket` (if missing) and uploads `objects` into it, a few at a time. */
export async function seedBucket(sw: Pick<SeaweedFs, 's3Url' | 'accessKeyId' | 'secretAccessKey' | 'region'>, bucket: string, objects: { key: string; body: Buffer | string; contentType?: string }[] = []): Promise<void> {
  const client = s3AdminClient(sw);
  try {
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw e;
    }
    const queue = [...objects];
    const worker = async () => {
      for (let o = queue.shift(); o; o = queue.shift()) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body, ContentType: o.contentType ?? (o.key.toLowerCase().endsWith('.pdf') ? 'application/pdf' : 'application/octet-stream') }));
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
  } finally {
    client.destroy();
  }
}
