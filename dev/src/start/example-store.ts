// The example IngestionJob's documents: sample handbooks and the example PDF in a real
// S3-compatible server (SeaweedFS) on the port and with the credentials examples/ name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleHandbooks } from '../sample-pdfs.ts';
import { startSeaweedFs, type SeaweedFs } from '../seaweedfs.ts';
import { seedBucket } from '../seaweedfs-objects.ts';

/** What examples/ingestion-job.yaml and examples/secrets.yaml name. */
export const EXAMPLE_S3 = { port: 8333, bucket: 'sluice-examples', prefix: 'handbooks/', accessKey: 'sluice-example', secretKey: 'sluice-example-secret' };
export const SAMPLE_HANDBOOKS = 12;

export async function startExampleStore(repo: string, log: (s: string) => void): Promise<SeaweedFs> {
  const s3 = await startSeaweedFs({ s3Port: EXAMPLE_S3.port, accessKey: EXAMPLE_S3.accessKey, secretKey: EXAMPLE_S3.secretKey, log });
  try {
    await seedBucket(s3, EXAMPLE_S3.bucket, [
      ...(await sampleHandbooks(SAMPLE_HANDBOOKS, EXAMPLE_S3.prefix)),
      { key: `${EXAMPLE_S3.prefix}employee-handbook.pdf`, body: readFileSync(join(repo, 'examples/employee-handbook.pdf')) },
    ]);
  } catch (e) {
    await s3.stop();
    throw e;
  }
  return s3;
}
