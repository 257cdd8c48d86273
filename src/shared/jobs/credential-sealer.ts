// A job's object-store credentials at rest: sealed with AES-256-GCM under the cluster's key (a
// Secret the operator creates once and mounts into the API and workers), with the job's id as
// additional data, so a sealed value copied into another job's row does not open there.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CredentialsUnreadableError } from './credentials-unreadable-error.ts';

export interface ObjectStoreCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const CREDENTIALS_KEY_BYTES = 32;

export class CredentialSealer {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== CREDENTIALS_KEY_BYTES) throw new RangeError(`a credentials key is ${CREDENTIALS_KEY_BYTES} bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
  }

  seal(jobId: string, credentials: ObjectStoreCredentials): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(jobId));
    const body = Buffer.concat([cipher.update(JSON.stringify({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey })), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  open(jobId: string, sealed: string): ObjectStoreCredentials {
    const [version, payload] = sealed.split('.', 2);
    if (version !== VERSION || payload === undefined) throw new CredentialsUnreadableError(`job ${jobId}: sealed credentials of an unknown format`);
    const raw = Buffer.from(payload, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new CredentialsUnreadableError(`job ${jobId}: sealed credentials are truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(jobId));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      const c = JSON.parse(plain.toString('utf8')) as ObjectStoreCredentials;
      return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
    } catch (err) {
      throw new CredentialsUnreadableError(`job ${jobId}: its credentials do not open with this cluster's key (was its credentials-key Secret replaced?); delete the job and create it again to seal them anew`, { cause: err });
    }
  }
}
