// What a failed reconcile means, by error type.
import { describe, expect, it } from 'vitest';
import { byErrorType, CONFLICT_RULE, defaultErrorPolicy } from '../../src/controller/runtime/error-policy.ts';
import { ApplyError, ControllerError, StatusConflictError } from '../../src/controller/runtime/errors.ts';

class Unreachable extends ControllerError {
  override readonly name = 'Unreachable';
}

describe('error policy', () => {
  it('requeues a status conflict after 250 ms, as a conflict rather than a failure', () => {
    expect(defaultErrorPolicy(new StatusConflictError('x'))).toEqual({ requeueAfterMs: 250, result: 'conflict' });
  });

  it('backs off on anything else', () => {
    expect(defaultErrorPolicy(new ApplyError('Deployment', 'd', 500, 'boom'))).toBe('backoff');
    expect(defaultErrorPolicy('a string')).toBe('backoff');
  });

  it('lets the first matching rule decide', () => {
    const policy = byErrorType([{ error: Unreachable, requeueAfterMs: 5000, result: 'unreachable' }, CONFLICT_RULE]);
    expect(policy(new Unreachable('api down'))).toEqual({ requeueAfterMs: 5000, result: 'unreachable' });
    expect(policy(new StatusConflictError('x'))).toEqual({ requeueAfterMs: 250, result: 'conflict' });
  });
});
