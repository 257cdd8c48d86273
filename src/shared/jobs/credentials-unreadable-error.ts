/** Sealed job credentials that this process cannot open: no key, another key, or a damaged value. */
export class CredentialsUnreadableError extends Error {
  override readonly name = 'CredentialsUnreadable';
}
