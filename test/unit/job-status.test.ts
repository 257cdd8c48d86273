// The status of an IngestionJob from the API's view of it, and the Events of its transitions.
import { describe, expect, it } from 'vitest';
import type { IngestionJobStatus } from '../../src/crd/ingestion-job.ts';
import { nextPoll } from '../../src/controller/job/poll-schedule.ts';
import { jobEvents } from '../../src/controller/status/job-events.ts';
import { computeJobStatus, type ClusterReadiness } from '../../src/controller/status/job-status.ts';
import { defaultedJob, view } from '../support/jobs.ts';

const T0 = new Date('2026-11-29T20:00:00Z');
const T1 = new Date('2026-11-29T20:05:00Z');
const ready: ClusterReadiness = { ready: true, message: 'IngestionCluster "docs" is ready.' };
const missing: ClusterReadiness = { ready: false, reason: 'ClusterNotFound', message: 'IngestionCluster "docs" not found in namespace team-a.' };
const job = (status?: IngestionJobStatus) => ({ ...defaultedJob({ sources: { inline: [{ uri: 'https://x.example/a.pdf' }] } }, { generation: 3 }), ...(status ? { status } : {}) });
const cond = (s: IngestionJobStatus, type: string) => s.conditions?.find((c) => c.type === type);
const statuses = (s: IngestionJobStatus) => Object.fromEntries((s.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));

describe('computeJobStatus', () => {
  it('maps a running job: progress, counts (queued = pending + queued), rate and ETA', () => {
    const s = computeJobStatus(job(), { cluster: ready, view: view() }, T0);
    expect(s).toMatchObject({
      observedGeneration: 3,
      phase: 'Running',
      progress: '4/10',
      counts: { total: 10, queued: 5, active: 1, succeeded: 3, failed: 1, skipped: 0 },
      pages: 12,
      chunks: 30,
      rate: 1.23,
      etaSeconds: 5,
      startTime: '2026-11-29T20:00:00.000Z',
      embedding: { model: 'sluice-hash-v1', dimensions: 384 },
    });
    expect(s).not.toHaveProperty('completionTime');
    expect(s).not.toHaveProperty('lastFailures');
    expect(statuses(s)).toEqual({
      Complete: 'False/Running',
      Failed: 'False/Running',
      Suspended: 'False/Running',
      FailureTarget: 'False/WithinFailurePolicy',
      SuccessCriteriaMet: 'False/Running',
      ClusterReady: 'True/ClusterReady',
      Accepted: 'True/Accepted',
    });
    expect(s.conditions!.every((c) => c.observedGeneration === 3 && c.lastTransitionTime === '2026-11-29T20:00:00Z')).toBe(true);
  });

  it.each([
    ['Complete', { state: 'Complete' as const, completionTime: '2026-11-29T20:04:00Z', counts: { total: 10, pending: 0, queued: 0, active: 0, succeeded: 9, failed: 1, skipped: 0 } }, { Complete: 'True/Completed', SuccessCriteriaMet: 'True/CompletionsReached', Failed: 'False/Complete' }],
    [
      'Failed',
      { state: 'Failed' as const, reason: 'FailedDocumentsExceeded', message: '3 documents failed', failureTarget: { reason: 'FailedDocumentsExceeded', message: '3 documents failed' } },
      { Failed: 'True/FailedDocumentsExceeded', FailureTarget: 'True/FailedDocumentsExceeded', Complete: 'False/Failed' },
    ],
    ['Suspended', { state: 'Suspended' as const }, { Suspended: 'True/JobSuspended', Complete: 'False/Suspended' }],
    ['failing, still draining', { state: 'Running' as const, failureTarget: { reason: 'DeadlineExceeded', message: 'past 3600 s' } }, { FailureTarget: 'True/DeadlineExceeded', Failed: 'False/Running' }],
  ])('conditions of a job that is %s', (_name, v, want) => {
    expect(statuses(computeJobStatus(job(), { cluster: ready, view: view(v) }, T0))).toMatchObject(want);
  });

  it('shows no rate or ETA once the job is not running', () => {
    const s = computeJobStatus(job(), { cluster: ready, view: view({ state: 'Complete', rate: 0.5, etaSeconds: 0 }) }, T0);
    expect(s).not.toHaveProperty('rate');
    expect(s).not.toHaveProperty('etaSeconds');
  });

  it('keeps at most 20 failures, with messages cut to the schema limit and unknown error types as Unknown', () => {
    const failures = Array.from({ length: 25 }, (_, i) => ({ document: `d${i}`, source: `https://x/${i}.pdf`, errorType: i === 0 ? 'Weird' : 'Encrypted', message: 'x'.repeat(2000), attempts: 1 })) as never;
    const s = computeJobStatus(job(), { cluster: ready, view: view({ lastFailures: failures }) }, T0);
    expect(s.lastFailures).toHaveLength(20);
    expect(s.lastFailures![0]).toEqual({ document: 'd0', source: 'https://x/0.pdf', errorType: 'Unknown', message: 'x'.repeat(1024), attempts: 1 });
  });

  it('leaves out what the API reports as null (the schema has no nulls)', () => {
    const s = computeJobStatus(job(), { cluster: ready, view: view({ lastFailures: [{ document: 'd', source: null, errorType: null, message: null, attempts: 2 }] }) }, T0);
    expect(s.lastFailures).toEqual([{ document: 'd', errorType: 'Unknown', attempts: 2 }]);
  });

  it('reports a missing cluster as Pending with ClusterReady False', () => {
    const s = computeJobStatus(job(), { cluster: missing }, T0);
    expect(s.phase).toBe('Pending');
    expect(cond(s, 'ClusterReady')).toMatchObject({ status: 'False', reason: 'ClusterNotFound', message: missing.message });
    expect(cond(s, 'Accepted')).toMatchObject({ status: 'Unknown', reason: 'NotSubmitted' });
  });

  it('names an unresolvable reference in Accepted', () => {
    const s = computeJobStatus(job(), { cluster: ready, rejected: { reason: 'ConfigMapNotFound', message: 'ConfigMap "list" referenced by spec.sources.manifest.configMapRef not found' } }, T0);
    expect(cond(s, 'Accepted')).toMatchObject({ status: 'False', reason: 'ConfigMapNotFound' });
  });

  it('keeps what it last saw while the API cannot be asked, and moves only ClusterReady', () => {
    const running = computeJobStatus(job(), { cluster: ready, view: view() }, T0);
    const s = computeJobStatus(job(running), { cluster: { ready: false, reason: 'APIUnavailable', message: 'connect ECONNREFUSED' } }, T1);
    expect(s).toMatchObject({ phase: 'Running', progress: '4/10', counts: running.counts });
    expect(cond(s, 'Accepted')).toEqual(cond(running, 'Accepted'));
    expect(cond(s, 'Complete')).toEqual(cond(running, 'Complete'));
    expect(cond(s, 'ClusterReady')).toMatchObject({ status: 'False', reason: 'APIUnavailable', lastTransitionTime: '2026-11-29T20:05:00Z' });
  });

  it('moves lastTransitionTime only when a condition changes status', () => {
    const first = computeJobStatus(job(), { cluster: ready, view: view() }, T0);
    const same = computeJobStatus(job(first), { cluster: ready, view: view({ counts: { ...view().counts, succeeded: 4 } }) }, T1);
    expect(same.conditions).toEqual(first.conditions);
    const done = computeJobStatus(job(first), { cluster: ready, view: view({ state: 'Complete' }) }, T1);
    expect(cond(done, 'Complete')!.lastTransitionTime).toBe('2026-11-29T20:05:00Z');
    expect(cond(done, 'ClusterReady')!.lastTransitionTime).toBe('2026-11-29T20:00:00Z');
  });

  it('is the same status for the same view (no write when nothing changed)', () => {
    const first = computeJobStatus(job(), { cluster: ready, view: view() }, T0);
    expect(computeJobStatus(job(first), { cluster: ready, view: view() }, T1)).toEqual(first);
  });
});

describe('jobEvents', () => {
  const at = (v: Parameters<typeof view>[0], before?: IngestionJobStatus) => computeJobStatus(job(before), { cluster: ready, view: view(v) }, T0);
  const pending = computeJobStatus(job(), { cluster: missing }, T0);
  const reasons = (before: IngestionJobStatus | undefined, after: IngestionJobStatus) => jobEvents(before, after).map((e) => `${e.type}/${e.reason}`);

  it.each([
    ['first seen running', undefined, () => at({}), ['Normal/Started']],
    ['first seen complete already', pending, () => at({ state: 'Complete' }), ['Normal/Started', 'Normal/Completed']],
    ['running, not started yet', pending, () => at({ startTime: null }), []],
    ['pending → running', pending, () => at({}), ['Normal/Started']],
    ['running → suspended', at({}), () => at({ state: 'Suspended' }), ['Normal/Suspended']],
    ['suspended → running', at({ state: 'Suspended' }), () => at({}), ['Normal/Resumed']],
    ['running → complete', at({}), () => at({ state: 'Complete' }), ['Normal/Completed']],
    ['running → failed', at({}), () => at({ state: 'Failed', reason: 'DeadlineExceeded', message: 'past it' }), ['Warning/Failed']],
    ['failed → running with a new nonce', at({ state: 'Failed' }), () => at({ retryNonce: '2' }), ['Normal/Retried']],
    ['a nonce already there when first submitted', pending, () => at({ retryNonce: '1' }), ['Normal/Started']],
    ['nothing changed', at({}), () => at({}), []],
  ])('%s', (_name, before, after, want) => {
    expect(reasons(before, after())).toEqual(want);
  });

  it('says why a job failed', () => {
    const [e] = jobEvents(at({}), at({ state: 'Failed', reason: 'DeadlineExceeded', message: 'ran past activeDeadlineSeconds 60' }));
    expect(e!.message).toBe('DeadlineExceeded: ran past activeDeadlineSeconds 60');
  });
});

describe('nextPoll', () => {
  const at = (delayMs: number, dueAt: number) => ({ delayMs, dueAt });
  it.each([
    ['first look at a running job', 'Running', undefined, false, 100, at(2000, 2100)],
    ['something moved', 'Running', at(16000, 50), true, 100, at(2000, 2100)],
    ['nothing moved at the poll: doubles', 'Running', at(2000, 100), false, 100, at(4000, 4100)],
    ['… up to 30 s', 'Running', at(16000, 100), false, 100, at(30000, 30100)],
    ['… and stays there', 'Running', at(30000, 100), false, 100, at(30000, 30100)],
    ['an event before the poll is due keeps the schedule', 'Running', at(4000, 3000), false, 100, at(4000, 3000)],
    ['a pending job is polled too', 'Pending', undefined, false, 0, at(2000, 2000)],
    ['a complete job is not polled', 'Complete', at(2000, 0), true, 0, undefined],
    ['a failed job is not polled', 'Failed', at(2000, 0), true, 0, undefined],
  ] as const)('%s', (_name, phase, previous, moved, now, want) => {
    expect(nextPoll(phase, previous, moved, now)).toEqual(want);
  });
});
