// pod-deletion-cost from heartbeats: the ReplicaSet deletes the lowest cost first.
import { describe, expect, it } from 'vitest';
import { podDeletionCosts } from '../../src/controller/autoscaling/deletion-costs.ts';

const NOW = 1_000_000;
/** Pods created 10 s ago, or `old` ones two minutes ago. */
const pods = (names: string[], old: string[] = []) => names.map((name) => ({ name, created: NOW - (old.includes(name) ? 120_000 : 10_000) }));

describe('podDeletionCosts', () => {
  const cases: { name: string; pods: string[]; old?: string[]; heartbeats: Parameters<typeof podDeletionCosts>[1]; want: Record<string, string> }[] = [
    {
      name: 'busy high, idle low, no heartbeat lower',
      pods: ['w-a', 'w-b', 'w-c'],
      heartbeats: [
        { id: 'w-a', busy: true, active: 2, concurrency: 2 },
        { id: 'w-b', busy: false, active: 0, concurrency: 2 },
      ],
      want: { 'w-a': '1002', 'w-b': '0', 'w-c': '-1000' },
    },
    {
      name: 'drained idle lowest, then silent for a minute, then just starting; a draining worker still busy stays high',
      pods: ['w-d', 'w-s', 'w-n', 'w-db'],
      old: ['w-s'],
      heartbeats: [
        { id: 'w-d', busy: false, active: 0, draining: true },
        { id: 'w-db', busy: true, active: 1, draining: true },
      ],
      want: { 'w-d': '-2000', 'w-s': '-1500', 'w-n': '-1000', 'w-db': '1001' },
    },
    {
      name: 'more documents in flight cost more; a busy heartbeat without a count costs as one',
      pods: ['w-a', 'w-b'],
      heartbeats: [
        { id: 'w-a', busy: true, active: 1 },
        { id: 'w-b', busy: true },
      ],
      want: { 'w-a': '1001', 'w-b': '1001' },
    },
    {
      name: 'heartbeats of pods that are gone are ignored',
      pods: ['w-a'],
      heartbeats: [{ id: 'w-old', busy: true, active: 1 }],
      want: { 'w-a': '-1000' },
    },
    { name: 'no pods, no costs', pods: [], heartbeats: [{ id: 'w-a', busy: false }], want: {} },
  ];
  for (const c of cases) it(c.name, () => expect(podDeletionCosts(pods(c.pods, c.old), c.heartbeats, NOW)).toEqual(c.want));

  it('ranks every busy pod above every idle one, and every idle one above every unknown one', () => {
    const names = ['u1', 'i1', 'b1', 'i2', 'u2', 'b2'];
    const costs = podDeletionCosts(pods(names), [
      { id: 'b1', busy: true, active: 1 },
      { id: 'b2', busy: true, active: 64 },
      { id: 'i1', busy: false, active: 0 },
      { id: 'i2', busy: false, active: 0 },
    ], NOW);
    const order = [...names].sort((a, b) => Number(costs[a]) - Number(costs[b]));
    expect(order.slice(0, 2).sort()).toEqual(['u1', 'u2']);
    expect(order.slice(2, 4).sort()).toEqual(['i1', 'i2']);
    expect(order.slice(4).sort()).toEqual(['b1', 'b2']);
    for (const v of Object.values(costs)) expect(Number.isInteger(Number(v)) && Math.abs(Number(v)) < 2 ** 31).toBe(true);
  });
});
