// `kubectl sluice retry ij/NAME`: a new spec.retryNonce, which has the operator re-drive the job's
// failed documents (as a Deployment's restartedAt annotation rolls its pods).
import { randomBytes } from 'node:crypto';
import type { SluiceClient } from '../sluice-client.ts';

export async function retry(client: SluiceClient, name: string): Promise<string> {
  const nonce = `${new Date().toISOString().replace(/[-:.]/g, '').toLowerCase()}-${randomBytes(3).toString('hex')}`;
  await client.patchJobSpec(name, { retryNonce: nonce });
  return `ingestionjob.sluice.dev/${name} retrying its failed documents (retryNonce ${nonce})\n`;
}
