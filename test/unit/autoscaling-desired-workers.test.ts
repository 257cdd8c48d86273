// The Builtin autoscaler's decision, driven through scripted scenarios: each step is one queue
// measurement (or a failed read) at a time, and the decision expected after it.
import { describe, expect, it } from 'vitest';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { desiredWorkers, type AutoscalingSpec, type ScaleReason } from '../../src/controller/autoscaling/desired-workers.ts';
import { initialHistory, type AutoscalingHistory } from '../../src/controller/autoscaling/history.ts';
import type { QueueObservation } from '../../src/controller/autoscaling/observation.ts';

const T0 = Date.parse('2026-11-29T12:00:00Z');
const defaults = (): AutoscalingSpec => defaultedCluster('docs', 'ns', {}).spec.autoscaling;

/** A measurement: `waiting` queued, `active` in flight, `busy` busy workers, `idle` idle workers. */
function q(waiting: number, active: number, busy: number, idle: number, delayed = 0): QueueObservation {
  const workers = [
    ...Array.from({ length: busy }, (_, i) => ({ id: `busy-${i}`, busy: true, active: 1 })),
    ...Array.from({ length: idle }, (_, i) => ({ id: `idle-${i}`, busy: false, active: 0 })),
  ];
  return { waiting, active, delayed, workers };
}
const FAIL = undefined;

interface Step {
  /** Seconds after T0. */
  at: number;
  obs: QueueObservation | undefined;
  replicas: number;
  reason?: ScaleReason;
}

interface Scenario {
  name: string;
  start: number;
  spec?: (s: AutoscalingSpec) => void;
  steps: Step[];
}

function run(sc: Scenario): { history: AutoscalingHistory; decisions: { replicas: number; reason: string; message: string }[] } {
  const spec = defaults();
  sc.spec?.(spec);
  let history = initialHistory(sc.start);
  const decisions = [];
  for (const step of sc.steps) {
    const d = desiredWorkers(step.obs, spec, history, new Date(T0 + step.at * 1000));
    // The history is plain data: what the reconciler keeps must survive a JSON round trip.
    history = JSON.parse(JSON.stringify(d.history)) as AutoscalingHistory;
    decisions.push(d);
    expect({ at: step.at, replicas: d.replicas, ...(step.reason ? { reason: d.reason } : {}) }, d.message).toEqual({
      at: step.at,
      replicas: step.replicas,
      ...(step.reason ? { reason: step.reason } : {}),
    });
  }
  return { history, decisions };
}

const scenarios: Scenario[] = [
  {
    name: "an IngestionJob with no worker running: its undispatched documents and its listing are demand, so it starts from zero",
    start: 0,
    steps: [
      { at: 0, obs: { ...q(0, 0, 0, 0), expanding: 1 }, replicas: 1, reason: 'Activation' },
      // Listed: 40 documents could start (within parallelism), the one worker has queued 4 of them;
      // queued alone would have kept one worker, as a dispatcher only queues for the live workers.
      { at: 15, obs: { ...q(4, 0, 0, 1), pending: 36 }, replicas: 5, reason: 'ScaleUp' },
      { at: 30, obs: { ...q(4, 4, 2, 0), pending: 32 }, replicas: 8, reason: 'ScaleUp' },
    ],
  },
  {
    name: 'spike: activation from zero at once, then the scale-up policy (max of 100 % or 4 pods per 15 s) up to max',
    start: 0,
    steps: [
      { at: 0, obs: q(0, 0, 0, 0), replicas: 0, reason: 'Hold' },
      { at: 15, obs: q(500, 0, 0, 0), replicas: 4, reason: 'Activation' },
      { at: 30, obs: q(480, 8, 4, 0), replicas: 8, reason: 'ScaleUp' },
      { at: 45, obs: q(400, 16, 8, 0), replicas: 10, reason: 'Clamped' },
      { at: 60, obs: q(300, 20, 10, 0), replicas: 10, reason: 'Clamped' },
    ],
  },
  {
    name: 'spike within one period: a second read inside 15 s adds nothing more',
    start: 1,
    spec: (s) => (s.maxReplicas = 50),
    steps: [
      { at: 0, obs: q(200, 2, 1, 0), replicas: 5, reason: 'ScaleUp' },
      { at: 5, obs: q(200, 2, 1, 0), replicas: 5, reason: 'Hold' },
      { at: 15, obs: q(200, 2, 1, 0), replicas: 10, reason: 'ScaleUp' },
      { at: 30, obs: q(200, 2, 1, 0), replicas: 20, reason: 'ScaleUp' },
    ],
  },
  {
    name: 'selectPolicy Min: the scale-up policy allowing the least change wins',
    start: 2,
    spec: (s) => (s.scaleUp.selectPolicy = 'Min'),
    steps: [
      { at: 0, obs: q(100, 4, 2, 0), replicas: 4, reason: 'ScaleUp' }, // min(2 + 4 pods, 2 × 200 %) = 4
      { at: 15, obs: q(100, 8, 4, 0), replicas: 8, reason: 'ScaleUp' },
    ],
  },
  {
    name: 'a scale-up stabilization window waits for the demand to last',
    start: 1,
    spec: (s) => (s.scaleUp.stabilizationWindowSeconds = 30),
    steps: [
      { at: 0, obs: q(2, 2, 1, 0), replicas: 1, reason: 'Hold' },
      { at: 15, obs: q(20, 2, 1, 0), replicas: 1, reason: 'Hold' }, // the 1 of t=0 is in the window
      { at: 30, obs: q(20, 2, 1, 0), replicas: 5, reason: 'ScaleUp' }, // 30 s old: no longer
    ],
  },
  {
    name: 'activation counts only work above activationDepth',
    start: 0,
    spec: (s) => (s.activationDepth = 3),
    steps: [
      { at: 0, obs: q(3, 0, 0, 0), replicas: 0, reason: 'Hold' },
      { at: 15, obs: q(4, 0, 0, 0), replicas: 1, reason: 'Activation' },
    ],
  },
  {
    name: 'in-flight work counts: busy workers holding documents keep their replicas with an empty wait list',
    start: 4,
    steps: [
      { at: 0, obs: q(0, 8, 4, 0), replicas: 4, reason: 'Hold' },
      { at: 400, obs: q(0, 8, 4, 0), replicas: 4, reason: 'Hold' },
      { at: 800, obs: q(0, 20, 4, 0), replicas: 4, reason: 'Hold' },
    ],
  },
  {
    name: 'scanned documents: pages being recognised are demand, so two long OCR documents are not one worker’s load',
    start: 1,
    steps: [
      { at: 0, obs: q(2, 2, 1, 0), replicas: 1, reason: 'Hold' }, // 4 documents: one worker's
      { at: 15, obs: { ...q(2, 2, 1, 0), ocrPages: 80 }, replicas: 3, reason: 'ScaleUp' }, // 2 + 2 + 80 / 10
      { at: 30, obs: { ...q(2, 2, 1, 0), ocrPages: 1 }, replicas: 3, reason: 'Hold' }, // down waits for its window
    ],
  },
  {
    name: 'steady load: the same demand moves nothing',
    start: 3,
    steps: [0, 15, 30, 45, 60, 75, 90].map((at) => ({ at, obs: q(6, 8, 3, 0), replicas: 3, reason: 'Hold' as const })),
  },
  {
    name: 'tolerance: a 10 % change in demand moves nothing, more does',
    start: 10,
    spec: (s) => (s.maxReplicas = 20),
    steps: [
      { at: 0, obs: q(45, 10, 10, 0), replicas: 10, reason: 'Hold' }, // 55/50 = 1.10
      { at: 15, obs: q(36, 10, 10, 0), replicas: 10, reason: 'Hold' }, // 46/50 = 0.92
      { at: 30, obs: q(46, 10, 10, 0), replicas: 12, reason: 'ScaleUp' }, // 56/50 = 1.12
    ],
  },
  {
    name: 'drain: replicas fall only after the 300 s window, by no more than the idle workers, then to zero after the cooldown',
    start: 10,
    steps: [
      { at: 0, obs: q(30, 20, 10, 0), replicas: 10, reason: 'Hold' },
      { at: 60, obs: q(0, 10, 5, 5), replicas: 10, reason: 'Hold' },
      { at: 120, obs: q(0, 2, 1, 9), replicas: 10, reason: 'Hold' },
      { at: 285, obs: q(0, 2, 1, 9), replicas: 10, reason: 'Hold' },
      { at: 299, obs: q(0, 2, 1, 9), replicas: 10, reason: 'Hold' }, // the 10 of t=0 is still in the window
      { at: 300, obs: q(0, 2, 1, 9), replicas: 2, reason: 'ScaleDown' }, // highest of (0, 300]: ceil(10/5) at 60
      { at: 330, obs: q(0, 1, 1, 1), replicas: 2, reason: 'Hold' },
      { at: 345, obs: q(0, 0, 0, 2), replicas: 2, reason: 'Hold' }, // quiet from here: window still holds 2
      { at: 630, obs: q(0, 0, 0, 2), replicas: 1, reason: 'ScaleDown' },
      { at: 645, obs: q(0, 0, 0, 1), replicas: 0, reason: 'ScaleToZero' }, // 300 s quiet
    ],
  },
  {
    name: 'a flapping metric: the window keeps the highest recommendation, up goes at once',
    start: 2,
    steps: [
      { at: 0, obs: q(10, 4, 2, 0), replicas: 3, reason: 'ScaleUp' },
      { at: 15, obs: q(0, 1, 1, 2), replicas: 3, reason: 'Hold' },
      { at: 30, obs: q(12, 3, 2, 1), replicas: 3, reason: 'Hold' },
      { at: 45, obs: q(0, 0, 0, 3), replicas: 3, reason: 'Hold' },
      { at: 60, obs: q(20, 4, 3, 0), replicas: 5, reason: 'ScaleUp' },
      { at: 75, obs: q(0, 1, 1, 4), replicas: 5, reason: 'Hold' },
      { at: 90, obs: q(0, 2, 1, 4), replicas: 5, reason: 'Hold' },
      { at: 105, obs: q(14, 4, 3, 2), replicas: 5, reason: 'Hold' },
      { at: 375, obs: q(0, 2, 1, 4), replicas: 4, reason: 'ScaleDown' }, // 105's 4 is still in the window
    ],
  },
  {
    name: 'metric outage: hold, then fallback after failureThreshold reads in a row, and back when reads return',
    start: 6,
    steps: [
      { at: 0, obs: q(25, 5, 6, 0), replicas: 6, reason: 'Hold' },
      { at: 15, obs: FAIL, replicas: 6, reason: 'MetricUnavailable' },
      { at: 30, obs: FAIL, replicas: 6, reason: 'MetricUnavailable' },
      { at: 45, obs: FAIL, replicas: 1, reason: 'Fallback' },
      { at: 60, obs: FAIL, replicas: 1, reason: 'Fallback' },
      { at: 75, obs: q(25, 1, 1, 0), replicas: 5, reason: 'ScaleUp' }, // from 1: max(100 %, 4 pods)
    ],
  },
  {
    name: 'a failed read between good ones resets nothing but the count',
    start: 2,
    steps: [
      { at: 0, obs: FAIL, replicas: 2, reason: 'MetricUnavailable' },
      { at: 15, obs: FAIL, replicas: 2, reason: 'MetricUnavailable' },
      { at: 30, obs: q(5, 5, 2, 0), replicas: 2, reason: 'Hold' },
      { at: 45, obs: FAIL, replicas: 2, reason: 'MetricUnavailable' },
      { at: 60, obs: FAIL, replicas: 2, reason: 'MetricUnavailable' },
    ],
  },
  {
    name: 'scale to zero only after the cooldown with an empty queue and every worker idle',
    start: 1,
    spec: (s) => (s.cooldownSeconds = 120),
    steps: [
      { at: 0, obs: q(0, 0, 0, 1), replicas: 1, reason: 'Hold' },
      { at: 60, obs: q(0, 1, 1, 0), replicas: 1, reason: 'Hold' }, // busy: the quiet clock restarts
      { at: 120, obs: q(0, 0, 0, 1), replicas: 1, reason: 'Hold' },
      { at: 180, obs: q(0, 0, 0, 1, 1), replicas: 1, reason: 'Hold' }, // a retry waits: not quiet
      { at: 240, obs: q(0, 0, 0, 1), replicas: 1, reason: 'Hold' },
      { at: 345, obs: q(0, 0, 0, 1), replicas: 1, reason: 'Hold' },
      { at: 360, obs: q(0, 0, 0, 1), replicas: 0, reason: 'ScaleToZero' },
      { at: 375, obs: q(0, 0, 0, 0), replicas: 0, reason: 'Hold' },
    ],
  },
  {
    name: 'minReplicas: never below it, even after the cooldown',
    start: 2,
    spec: (s) => {
      s.minReplicas = 2;
      s.cooldownSeconds = 0;
    },
    steps: [
      { at: 0, obs: q(0, 0, 0, 2), replicas: 2, reason: 'Hold' },
      { at: 600, obs: q(0, 0, 0, 2), replicas: 2, reason: 'Hold' },
    ],
  },
  {
    name: 'max clamp: demand for 60 workers runs maxReplicas',
    start: 10,
    steps: [
      { at: 0, obs: q(280, 20, 10, 0), replicas: 10, reason: 'Clamped' },
      { at: 15, obs: q(500, 20, 10, 0), replicas: 10, reason: 'Clamped' },
    ],
  },
  {
    name: 'a lowered maxReplicas clamps at once when the workers going are idle',
    start: 10,
    spec: (s) => (s.maxReplicas = 4),
    steps: [{ at: 0, obs: q(100, 4, 4, 6), replicas: 4, reason: 'Clamped' }],
  },
  {
    name: 'never more down-steps than idle workers: busy workers stay',
    start: 8,
    spec: (s) => (s.scaleDown.stabilizationWindowSeconds = 0),
    steps: [
      { at: 0, obs: q(0, 5, 5, 3), replicas: 5, reason: 'ScaleDown' }, // demand 1, only 3 idle
      { at: 15, obs: q(0, 4, 4, 1), replicas: 4, reason: 'ScaleDown' },
      { at: 30, obs: q(0, 4, 4, 0), replicas: 4, reason: 'Hold' },
      { at: 45, obs: q(0, 1, 1, 3), replicas: 1, reason: 'ScaleDown' },
    ],
  },
  {
    name: 'pods without a heartbeat yet (starting) may go; busy ones may not',
    start: 6,
    spec: (s) => (s.scaleDown.stabilizationWindowSeconds = 0),
    steps: [{ at: 0, obs: q(0, 2, 2, 0), replicas: 2, reason: 'ScaleDown' }],
  },
  {
    name: 'the scale-down policy limits removal per period',
    start: 10,
    spec: (s) => {
      s.scaleDown.stabilizationWindowSeconds = 0;
      s.scaleDown.policies = [{ type: 'Pods', value: 2, periodSeconds: 60 }];
    },
    steps: [
      { at: 0, obs: q(0, 0, 0, 10), replicas: 8, reason: 'ScaleDown' },
      { at: 30, obs: q(0, 0, 0, 8), replicas: 8, reason: 'Hold' },
      { at: 60, obs: q(0, 0, 0, 8), replicas: 6, reason: 'ScaleDown' },
    ],
  },
  {
    name: 'selectPolicy Disabled: scale-down never happens, scale to zero included',
    start: 3,
    spec: (s) => {
      s.scaleDown.selectPolicy = 'Disabled';
      s.cooldownSeconds = 0;
    },
    steps: [
      { at: 0, obs: q(0, 0, 0, 3), replicas: 3, reason: 'Hold' },
      { at: 900, obs: q(0, 0, 0, 3), replicas: 3, reason: 'Hold' },
    ],
  },
  {
    name: 'delayed retries count as queued (the API does not say which are due), and delayedDue narrows them',
    start: 0,
    steps: [{ at: 0, obs: q(0, 0, 0, 0, 12), replicas: 3, reason: 'Activation' }],
  },
];

describe('desiredWorkers', () => {
  for (const sc of scenarios) it(sc.name, () => void run(sc));

  it('delayedDue: retries not yet due keep one worker but ask for no more', () => {
    const spec = defaults();
    const d = desiredWorkers({ ...q(0, 0, 0, 0, 12), delayedDue: 0 }, spec, initialHistory(0), new Date(T0));
    expect(d).toMatchObject({ replicas: 1, reason: 'Activation' });
  });

  it('keeps the last scale time and reason for status, and a bounded history', () => {
    const { history, decisions } = run(scenarios.find((s) => s.name.startsWith('drain'))!);
    expect(history).toMatchObject({ replicas: 0, lastScaleTime: T0 + 645_000, lastScaleReason: 'ScaleToZero', consecutiveFailures: 0 });
    expect(history.recommendations.every((r) => T0 + 645_000 - r.at < 300_000)).toBe(true);
    expect(decisions.at(-1)?.message).toMatch(/zero/);
  });

  it('explains a hold in the window', () => {
    const { decisions } = run(scenarios.find((s) => s.name.startsWith('drain'))!);
    expect(decisions[2]?.message).toBe('Holding 10 workers: 0 queued + 2 in flight = 2 (5 per worker); stabilization window (300 s).');
  });

  it('does not change what it was given', () => {
    const spec = defaults();
    const h = initialHistory(3);
    const frozen = JSON.stringify([spec, h]);
    desiredWorkers(q(100, 6, 3, 0), spec, h, new Date(T0));
    desiredWorkers(undefined, spec, h, new Date(T0));
    expect(JSON.stringify([spec, h])).toBe(frozen);
  });
});
