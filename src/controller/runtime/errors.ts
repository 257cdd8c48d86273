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

/** A write guarded by resourceVersion lost a race: re-read and try again soon; not a failure. */
export class ConflictError extends ControllerError {
  override readonly name: string = 'ConflictError';
}

/** The status write lost a race (409). */
export class StatusConflictError extends ConflictError {
  override readonly name = 'StatusConflictError';
}

/** Adding or removing a finalizer lost a race. */
export class FinalizerConflictError extends ConflictError {
  override readonly name = 'FinalizerConflictError';
}

export class StatusWriteError extends ControllerError {
  override readonly name = 'StatusWriteError';
}

/** The worker pods' deletion costs could not be set, so replicas were not lowered. */
export class DeletionCostError extends ControllerError {
  override readonly name = 'DeletionCostError';
}

export class SecretLookupError extends ControllerError {
  override readonly name = 'SecretLookupError';
}

export class ConfigMapLookupError extends ControllerError {
  override readonly name = 'ConfigMapLookupError';
}

/** An object write the controller needs (a finalizer, a job's status) failed. */
export class WriteError extends ControllerError {
  override readonly name = 'WriteError';
}

/**
 * Someone wrote first: a 409, or the 422 a JSON patch gets when its `test` operation (of the
 * resourceVersion the decision was made on) fails — the apiserver's generic "rejected our
 * request" with no field causes, unlike a 422 for an invalid object, which names its fields.
 */
export function isConflict(err: unknown): boolean {
  const status = httpStatus(err);
  if (status === 409) return true;
  if (status !== 422) return false;
  const causes = (statusBody(err)?.details as { causes?: unknown[] } | undefined)?.causes;
  return !causes?.length && /rejected our request due to an error in our request|test failed|testing value/i.test(errorMessage(err));
}

function statusBody(err: unknown): Record<string, unknown> | undefined {
  if (typeof err !== 'object' || err === null || !('body' in err)) return undefined;
  const body = (err as { body?: unknown }).body;
  try {
    return (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
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
