// What happens when a document fails, and when failed documents fail their job. Pure: the
// worker and the dispatcher feed it counts and rules and act on the answer.
import type { ErrorType } from '../errors.ts';
import type { FailurePolicy, FailureRule } from './job-spec.ts';

/** Retry: back to the queue. FailDocument: `failed`. Ignore: `skipped`. FailJob: the document fails and so does its job. */
export type FailureDecision = 'Retry' | 'FailDocument' | 'Ignore' | 'FailJob';

export interface FailureInput {
  errorType: ErrorType;
  permanent: boolean;
  /** 1-based attempt that just failed. */
  attempt: number;
  /** Retries allowed after the first attempt. */
  retries: number;
  rules: readonly FailureRule[];
}

/** The first rule naming the error type decides; without one, transient errors are retried. */
export function decideFailure(i: FailureInput): FailureDecision {
  const canRetry = i.attempt <= i.retries;
  const rule = i.rules.find((r) => r.onErrorTypes.includes(i.errorType));
  switch (rule?.action) {
    case 'FailJob':
    case 'FailDocument':
    case 'Ignore':
      return rule.action;
    case 'Retry':
      return canRetry ? 'Retry' : 'FailDocument';
    default:
      return !i.permanent && canRetry ? 'Retry' : 'FailDocument';
  }
}

export interface FailureTarget {
  reason: string;
  message: string;
}

/** Beyond (not at) either limit, the job must fail. `total` counts every document of the job. */
export function budgetExceeded(p: Pick<FailurePolicy, 'maxFailedDocuments' | 'maxFailedPercent'>, failed: number, total: number): FailureTarget | null {
  if (p.maxFailedDocuments !== undefined && failed > p.maxFailedDocuments) {
    return { reason: 'FailedDocumentsExceeded', message: `${failed} documents failed, more than maxFailedDocuments ${p.maxFailedDocuments}` };
  }
  if (p.maxFailedPercent !== undefined && total > 0 && failed * 100 > p.maxFailedPercent * total) {
    const pct = Math.round((failed * 1000) / total) / 10;
    return { reason: 'FailedDocumentsExceeded', message: `${failed} of ${total} documents failed (${pct}%), more than maxFailedPercent ${p.maxFailedPercent}%` };
  }
  return null;
}
