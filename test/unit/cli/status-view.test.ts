import { describe, expect, it } from 'vitest';
import type { IngestionJob } from '../../../src/crd/ingestion-job.ts';
import { failureLines } from '../../../src/cli/commands/failures.ts';
import { jobProgress, statusLines } from '../../../src/cli/status-view.ts';
import { parseTarget } from '../../../src/cli/target.ts';

const job = (status: IngestionJob['status']): IngestionJob => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'IngestionJob',
  metadata: { name: 'handbooks', namespace: 'ns' },
  spec: { clusterRef: { name: 'docs' } } as never,
  status,
});

describe('jobProgress', () => {
  it.each([
    ['not yet seen', undefined, { phase: 'Pending', total: 0, done: 0, failed: 0 }],
    ['running, with the rate and ETA the operator wrote', { phase: 'Running', counts: { total: 10, succeeded: 3, failed: 1, skipped: 1 }, rate: 0.5, etaSeconds: 10 }, { done: 5, failed: 1, rate: 0.5, etaSeconds: 10 }],
    ['running, ETA from the rate when status has none', { phase: 'Running', counts: { total: 10, succeeded: 4 }, rate: 2 }, { done: 4, etaSeconds: 3 }],
    ['finished: no rate or ETA', { phase: 'Complete', counts: { total: 2, succeeded: 2 }, rate: 1, etaSeconds: 0 }, { done: 2 }],
  ])('%s', (_name, status, want) => {
    const p = jobProgress(job(status as IngestionJob['status']));
    expect(p).toMatchObject(want);
    if (status?.phase !== 'Running') expect(p).not.toHaveProperty('etaSeconds');
  });
});

describe('statusLines', () => {
  const p = jobProgress(job({ phase: 'Running', counts: { total: 8, succeeded: 2 }, rate: 0.1, etaSeconds: 60 }));
  const cluster = { namespace: 'ns', name: 'docs', phase: 'Ready', workers: { desired: 3, ready: 2, busy: 2 }, queue: { waiting: 6, active: 2 } };

  it('are plain words without a terminal', () => {
    expect(statusLines([p], [cluster], false)).toEqual(['ij/handbooks Running 2/8 done failed 0 rate 6 docs/min eta 1m00s', 'ic/docs Ready workers 2/3 ready, 2 busy; queue 6 waiting, 2 active']);
  });

  it('carry a bar and the share on a terminal', () => {
    expect(statusLines([p], [], true)[0]).toBe(`handbooks  Running    ${'██████'}${' '.repeat(18)}  25%          2/8  failed 0      6 docs/min  ETA 1m00s`);
  });

  it('lead with the namespace across all namespaces (-A), as kubectl does', () => {
    const other = { ...cluster, namespace: 'team-b' };
    expect(statusLines([p], [cluster, other], false, true)).toEqual([
      'ns ij/handbooks Running 2/8 done failed 0 rate 6 docs/min eta 1m00s',
      'ns ic/docs Ready workers 2/3 ready, 2 busy; queue 6 waiting, 2 active',
      'team-b ic/docs Ready workers 2/3 ready, 2 busy; queue 6 waiting, 2 active',
    ]);
    expect(statusLines([p], [other], true, true)[0]).toMatch(/^ns {6}handbooks {2}Running/);
  });
});

describe('failureLines', () => {
  it.each([
    ['none', { phase: 'Complete', counts: { total: 1, succeeded: 1 } }, 'ij/handbooks: no failed documents\n'],
    [
      'fewer kept than failed',
      { counts: { failed: 30 }, lastFailures: [{ document: 'd1', errorType: 'Encrypted', message: 'needs\na password' }] },
      'TYPE\tSOURCE\tMESSAGE\nEncrypted\td1\tneeds a password\n(the last 1 of 30 failed documents)\n',
    ],
  ])('%s', (_name, status, want) => {
    expect(failureLines(job(status as IngestionJob['status']), false)).toBe(want);
  });
});

describe('parseTarget', () => {
  it.each([
    ['ij/handbooks', undefined, { kind: 'job', name: 'handbooks' }],
    ['IngestionCluster/docs', undefined, { kind: 'cluster', name: 'docs' }],
    ['ingestionjob.sluice.dev/x', 'job', { kind: 'job', name: 'x' }],
  ] as const)('%s', (arg, only, want) => {
    expect(parseTarget(arg, only)).toEqual(want);
  });

  it.each([
    ['handbooks', undefined, 'expected ij/NAME or ic/NAME, got "handbooks"'],
    ['ij/', undefined, 'expected ij/NAME or ic/NAME'],
    ['pod/x', undefined, 'expected ij/NAME or ic/NAME'],
    ['ic/docs', 'job', 'expected an IngestionJob (ij/NAME), got "ic/docs"'],
  ] as const)('refuses %s', (arg, only, message) => {
    expect(() => parseTarget(arg, only)).toThrow(message);
  });
});
