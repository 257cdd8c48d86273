// The pure parts of IngestionJobs: the failure policy, the failure budget, sharing slots among
// jobs, and a job's state from its documents.
import { describe, expect, it } from 'vitest';
import { allocate, type Candidate } from '../../../src/shared/jobs/allocate.ts';
import { budgetExceeded, decideFailure, type FailureInput } from '../../../src/shared/jobs/failure-policy.ts';
import { settle, type SettleInput, type StateCounts } from '../../../src/shared/jobs/settle.ts';

describe('decideFailure', () => {
  const base: FailureInput = { errorType: 'Unknown', permanent: false, attempt: 1, retries: 3, rules: [] };
  it.each<[string, Partial<FailureInput>, string]>([
    ['transient, retries left', {}, 'Retry'],
    ['transient, last retry spent', { attempt: 4 }, 'FailDocument'],
    ['transient, no retries', { retries: 0 }, 'FailDocument'],
    ['permanent', { errorType: 'Corrupt', permanent: true }, 'FailDocument'],
    ['a FetchFailed made transient (503)', { errorType: 'FetchFailed', permanent: false }, 'Retry'],
    ['rule FailDocument on a transient error', { rules: [{ action: 'FailDocument', onErrorTypes: ['Unknown'] }] }, 'FailDocument'],
    ['rule Retry on a permanent error', { errorType: 'Timeout', permanent: true, rules: [{ action: 'Retry', onErrorTypes: ['Timeout'] }] }, 'Retry'],
    ['rule Retry with retries spent', { errorType: 'Timeout', permanent: true, attempt: 4, rules: [{ action: 'Retry', onErrorTypes: ['Timeout'] }] }, 'FailDocument'],
    ['rule Ignore', { errorType: 'NoTextLayer', permanent: true, rules: [{ action: 'Ignore', onErrorTypes: ['NoTextLayer'] }] }, 'Ignore'],
    ['rule FailJob', { errorType: 'Encrypted', permanent: true, rules: [{ action: 'FailJob', onErrorTypes: ['Encrypted', 'Corrupt'] }] }, 'FailJob'],
    ['the first matching rule wins', { rules: [{ action: 'Ignore', onErrorTypes: ['Unknown'] }, { action: 'FailJob', onErrorTypes: ['Unknown'] }] }, 'Ignore'],
    ['a rule for another type does not apply', { errorType: 'Corrupt', permanent: true, rules: [{ action: 'Ignore', onErrorTypes: ['Encrypted'] }] }, 'FailDocument'],
  ])('%s → %s', (_name, over, want) => {
    expect(decideFailure({ ...base, ...over })).toBe(want);
  });
});

describe('budgetExceeded', () => {
  it.each<[string, { maxFailedDocuments?: number; maxFailedPercent?: number }, number, number, boolean]>([
    ['no limits', {}, 50, 100, false],
    ['at maxFailedDocuments', { maxFailedDocuments: 2 }, 2, 100, false],
    ['beyond maxFailedDocuments', { maxFailedDocuments: 2 }, 3, 100, true],
    ['maxFailedDocuments 0, one failure', { maxFailedDocuments: 0 }, 1, 100, true],
    ['at maxFailedPercent', { maxFailedPercent: 5 }, 1, 20, false],
    ['beyond maxFailedPercent', { maxFailedPercent: 5 }, 2, 20, true],
    ['percent of no documents', { maxFailedPercent: 0 }, 0, 0, false],
  ])('%s', (_name, policy, failed, total, exceeded) => {
    const t = budgetExceeded(policy, failed, total);
    expect(t !== null).toBe(exceeded);
    if (t) expect(t.reason).toBe('FailedDocumentsExceeded');
  });
});

describe('allocate', () => {
  const job = (id: string, over: Partial<Candidate> = {}): Candidate => ({ id, priority: 50, room: 10, pending: 100, lastDispatchedAt: null, ...over });
  const obj = (m: Map<string, number>) => Object.fromEntries(m);

  it('gives higher priority everything it can take first', () => {
    expect(obj(allocate([job('low', { priority: 10 }), job('high', { priority: 90, room: 3 })], 5))).toEqual({ high: 3, low: 2 });
  });
  it('shares equally among equal priority, starting with the job served longest ago', () => {
    expect(obj(allocate([job('a', { lastDispatchedAt: 2 }), job('b', { lastDispatchedAt: 1 })], 5))).toEqual({ b: 3, a: 2 });
    expect(obj(allocate([job('a'), job('b'), job('c')], 6))).toEqual({ a: 2, b: 2, c: 2 });
  });
  it('never exceeds a job\'s room or its pending documents', () => {
    expect(obj(allocate([job('a', { room: 2 }), job('b', { pending: 1 }), job('c', { room: 0 }), job('d', { room: -3 })], 100))).toEqual({ a: 2, b: 1 });
  });
  it('gives nothing without free slots', () => {
    expect(obj(allocate([job('a')], 0))).toEqual({});
    expect(obj(allocate([job('a')], -4))).toEqual({});
  });
});

describe('settle', () => {
  const zero: StateCounts = { pending: 0, queued: 0, processing: 0, succeeded: 0, failed: 0, skipped: 0 };
  const base: SettleInput = { state: 'Running', suspend: false, failure: null, expansionDone: true, counts: zero };
  const failure = { reason: 'DeadlineExceeded', message: 'late' };
  it.each<[string, Partial<SettleInput>, Partial<StateCounts>, string, string | null]>([
    ['a new job with work', { state: 'Pending', expansionDone: false }, {}, 'Running', null],
    ['work left', {}, { pending: 3, succeeded: 1 }, 'Running', null],
    ['expansion not done', { expansionDone: false }, { succeeded: 4 }, 'Running', null],
    ['everything finished', {}, { succeeded: 4, failed: 1, skipped: 1 }, 'Complete', 'Completed'],
    ['an empty source', {}, {}, 'Complete', 'Completed'],
    ['suspended', { suspend: true }, { pending: 3, processing: 1 }, 'Suspended', 'Suspended'],
    ['failure target with work in flight', { failure }, { processing: 2, pending: 5 }, 'Running', 'FailureTarget'],
    ['failure target, a queued document still', { failure }, { queued: 1 }, 'Running', 'FailureTarget'],
    ['failure target, nothing in flight', { failure }, { pending: 5, succeeded: 1 }, 'Failed', 'DeadlineExceeded'],
    ['failed stays failed', { state: 'Failed', failure }, { pending: 5 }, 'Failed', 'DeadlineExceeded'],
  ])('%s → %s', (_name, over, counts, state, reason) => {
    const s = settle({ ...base, ...over, counts: { ...zero, ...counts } });
    expect(s.state).toBe(state);
    expect(s.reason).toBe(reason);
  });
});
