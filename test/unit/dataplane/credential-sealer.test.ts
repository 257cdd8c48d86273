import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DocumentError } from '../../../src/shared/errors.ts';
import { CredentialSealer } from '../../../src/shared/jobs/credential-sealer.ts';
import { CredentialsUnreadableError } from '../../../src/shared/jobs/credentials-unreadable-error.ts';
import { openSpec, sealSpec } from '../../../src/shared/jobs/job-credentials.ts';
import type { JobSpec } from '../../../src/shared/jobs/job-spec.ts';

const creds = { accessKeyId: 'AKIAEXAMPLEKEY', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const sealer = new CredentialSealer(randomBytes(32));
const spec = (withCredentials = true): JobSpec =>
  ({
    collection: 'docs',
    sources: { objectStore: { endpoint: 'http://s3.test', bucket: 'b', prefix: 'p/', ...(withCredentials ? { credentials: creds } : {}) } },
    metadata: {},
  }) as unknown as JobSpec;

describe('CredentialSealer', () => {
  it('opens what it sealed, for the same job, and the sealed text shows neither key', () => {
    const sealed = sealer.seal('job-1', creds);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(creds.accessKeyId);
    expect(sealed).not.toContain(Buffer.from(creds.secretAccessKey).toString('base64url').slice(0, 12));
    expect(sealer.open('job-1', sealed)).toEqual(creds);
    expect(sealer.seal('job-1', creds)).not.toBe(sealed); // a fresh IV each time
  });

  it.each([
    ['another job', (s: string) => ['job-2', s]],
    ['another key', (s: string) => ['job-1', s, new CredentialSealer(randomBytes(32))]],
    ['a changed byte', (s: string) => ['job-1', `${s.slice(0, -3)}${s.at(-3) === 'A' ? 'B' : 'A'}${s.slice(-2)}`]],
    ['a truncated value', (s: string) => ['job-1', s.slice(0, 12)]],
    ['an unknown format', (s: string) => ['job-1', `v9.${s.slice(3)}`]],
  ] as const)('refuses %s', (_name, vary) => {
    const [job, sealed, by = sealer] = vary(sealer.seal('job-1', creds)) as [string, string, CredentialSealer?];
    expect(() => by.open(job, sealed)).toThrow(CredentialsUnreadableError);
  });

  it('takes only a 32-byte key', () => {
    expect(() => new CredentialSealer(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('a job spec stored and used', () => {
  it('is stored without its credentials, which come back only when opened', () => {
    const stored = sealSpec('job-1', spec(), sealer);
    expect(JSON.stringify(stored.spec)).not.toContain(creds.secretAccessKey);
    expect(stored.spec.sources.objectStore).toEqual({ endpoint: 'http://s3.test', bucket: 'b', prefix: 'p/' });
    expect(openSpec({ id: 'job-1', spec: stored.spec, sealed_credentials: stored.sealed }, sealer).sources.objectStore?.credentials).toEqual(creds);
  });

  it('has nothing to seal without credentials, and needs no key then', () => {
    expect(sealSpec('job-1', spec(false), undefined)).toEqual({ spec: spec(false), sealed: null });
    expect(openSpec({ id: 'job-1', spec: spec(false), sealed_credentials: null }, undefined)).toEqual(spec(false));
  });

  it('is never stored with credentials in plain text when there is no key', () => {
    expect(() => sealSpec('job-1', spec(), undefined)).toThrow(/no credentials key/);
  });

  it('fails its source for good when the credentials do not open', () => {
    const stored = sealSpec('job-1', spec(), sealer);
    for (const by of [undefined, new CredentialSealer(randomBytes(32))]) {
      const err = (() => {
        try {
          openSpec({ id: 'job-1', spec: stored.spec, sealed_credentials: stored.sealed }, by);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(DocumentError);
      expect(err).toMatchObject({ type: 'FetchFailed', permanent: true });
      expect((err as Error).message).toMatch(by ? /do not open with this cluster's key/ : /no credentials key/);
    }
  });
});
