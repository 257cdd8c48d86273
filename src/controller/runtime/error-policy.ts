// What a failed reconcile means, by error type (kube-rs's error_policy): some errors are not
// failures at all but a reason to look again soon; everything else backs off per key.
import { ConflictError } from './errors.ts';

export type ErrorDecision =
  /** Come back after a fixed delay, without backoff; `result` labels the reconcile metric. */
  | { requeueAfterMs: number; result: string }
  /** A failure: counted as an error and retried with per-key exponential backoff. */
  | 'backoff';

export type ErrorPolicy = (err: unknown) => ErrorDecision;

export interface ErrorRule {
  error: abstract new (...args: never[]) => Error;
  requeueAfterMs: number;
  result: string;
}

/** The first rule whose error type matches decides; anything else backs off. */
export const byErrorType =
  (rules: ErrorRule[]): ErrorPolicy =>
  (err) => {
    const rule = rules.find((r) => err instanceof r.error);
    return rule ? { requeueAfterMs: rule.requeueAfterMs, result: rule.result } : 'backoff';
  };

/**
 * A write that lost a race (a status, a finalizer): our cache is behind, often our own last
 * write, so wait briefly for the watch to catch up and look again, with no backoff.
 */
export const CONFLICT_RULE: ErrorRule = { error: ConflictError, requeueAfterMs: 250, result: 'conflict' };

export const defaultErrorPolicy: ErrorPolicy = byErrorType([CONFLICT_RULE]);
