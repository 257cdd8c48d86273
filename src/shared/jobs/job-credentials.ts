// Where a job's credentials live: never in `jobs.spec`, which anyone reading the database sees,
// but sealed in `jobs.sealed_credentials`, and opened only where a source is listed or fetched.
import { DocumentError } from '../errors.ts';
import type { CredentialSealer } from './credential-sealer.ts';
import { CredentialsUnreadableError } from './credentials-unreadable-error.ts';
import type { JobSpec } from './job-spec.ts';

/** The spec to store, without credentials, and the credentials sealed (null when it has none). */
export function sealSpec(jobId: string, spec: JobSpec, sealer: CredentialSealer | undefined): { spec: JobSpec; sealed: string | null } {
  const o = spec.sources.objectStore;
  if (!o?.credentials) return { spec, sealed: null };
  if (!sealer) throw new CredentialsUnreadableError('this API has no credentials key (SLUICE_CREDENTIALS_KEY), and credentials are never stored in plain text');
  const { credentials, ...rest } = o;
  return { spec: { ...spec, sources: { ...spec.sources, objectStore: rest } }, sealed: sealer.seal(jobId, credentials) };
}

/**
 * The spec with its credentials opened, for listing or fetching its source. Credentials that do
 * not open fail the source for good: another attempt with the same key will not open them either.
 */
export function openSpec(job: { id: string; spec: JobSpec; sealed_credentials: string | null }, sealer: CredentialSealer | undefined): JobSpec {
  const o = job.spec.sources.objectStore;
  if (job.sealed_credentials === null || !o) return job.spec;
  try {
    if (!sealer) throw new CredentialsUnreadableError(`job ${job.id}: its credentials are sealed and this worker has no credentials key (SLUICE_CREDENTIALS_KEY)`);
    return { ...job.spec, sources: { ...job.spec.sources, objectStore: { ...o, credentials: sealer.open(job.id, job.sealed_credentials) } } };
  } catch (err) {
    if (err instanceof CredentialsUnreadableError) throw new DocumentError('FetchFailed', err.message, { cause: err, permanent: true });
    throw err;
  }
}
