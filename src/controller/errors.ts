// Typed controller errors; `name` is the metric label.

export class ControllerError extends Error {
  override readonly name: string = 'ControllerError';
}

/** Applying a child failed (invalid object, admission refused it, apiserver error). */
export class ApplyError extends ControllerError {
  override readonly name = 'ApplyError';
  readonly kind: string;
  readonly status: number | undefined;
  constructor(kind: string, objectName: string, status: number | undefined, message: string, options?: ErrorOptions) {
    super(`apply ${kind} ${objectName}: ${message}`, options);
    this.kind = kind;
    this.status = status;
  }
}

/** The status write lost a race (409): re-read and try again soon; not a failure. */
export class StatusConflictError extends ControllerError {
  override readonly name = 'StatusConflictError';
}

export class StatusWriteError extends ControllerError {
  override readonly name = 'StatusWriteError';
}

export class SecretLookupError extends ControllerError {
  override readonly name = 'SecretLookupError';
}

/** The HTTP status of a client-node ApiException or of anything carrying a `code`. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; statusCode?: unknown };
    if (typeof e.code === 'number') return e.code;
    if (typeof e.statusCode === 'number') return e.statusCode;
  }
  return undefined;
}

export function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'body' in err) {
    const body = (err as { body?: unknown }).body;
    try {
      const parsed = typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string });
      if (parsed?.message) return parsed.message;
    } catch {
      // not JSON
    }
  }
  return err instanceof Error ? err.message : String(err);
}

export const errorName = (err: unknown): string => (err instanceof Error ? err.name : 'Unknown');
