// The drain handshake's plan: replicas go down only by workers that report draining and idle
// (or have been silent for a minute); the workers still to go are asked to drain, never a busy
// one newly; a higher target releases every request.
import { describe, expect, it } from 'vitest';
import { scaleDownPlan } from '../../src/controller/autoscaling/scale-down-plan.ts';

const NOW = 1_000_000;
const pod = (name: string, ageS = 10) => ({ name, created: NOW - ageS * 1000 });
const idle = (id: string, draining = false) => ({ id, busy: false, active: 0, ...(draining ? { draining } : {}) });
const busy = (id: string, draining = false) => ({ id, busy: true, active: 1, ...(draining ? { draining } : {}) });

describe('scaleDownPlan', () => {
  const cases: { name: string; target: number; live: number; pods: ReturnType<typeof pod>[]; hb: ReturnType<typeof idle>[]; want: { replicas: number; drain: string[]; removable: string[] } }[] = [
    {
      name: 'first turn: nothing drained yet, so nothing goes; the idle workers are asked to drain',
      target: 1,
      live: 4,
      pods: [pod('a'), pod('b'), pod('c'), pod('d')],
      hb: [busy('a'), idle('b'), idle('c'), idle('d')],
      want: { replicas: 4, drain: ['b', 'c', 'd'], removable: [] },
    },
    {
      name: 'next turn: the drained idle ones go, and stay asked until they are gone',
      target: 1,
      live: 4,
      pods: [pod('a'), pod('b'), pod('c'), pod('d')],
      hb: [busy('a'), idle('b', true), idle('c', true), idle('d', true)],
      want: { replicas: 1, drain: ['b', 'c', 'd'], removable: ['b', 'c', 'd'] },
    },
    {
      name: 'a worker that took a document before it saw the request stays until it is idle',
      target: 1,
      live: 3,
      pods: [pod('a'), pod('b'), pod('c')],
      hb: [busy('a'), idle('b', true), busy('c', true)],
      want: { replicas: 2, drain: ['b', 'c'], removable: ['b'] },
    },
    {
      name: 'busy workers are never asked: fewer go than the target asks',
      target: 1,
      live: 3,
      pods: [pod('a'), pod('b'), pod('c')],
      hb: [busy('a'), busy('b'), idle('c')],
      want: { replicas: 3, drain: ['c'], removable: [] },
    },
    {
      name: 'a pod silent for a minute goes at once; one just started does not',
      target: 1,
      live: 3,
      pods: [pod('a'), pod('old', 120), pod('new')],
      hb: [busy('a')],
      want: { replicas: 2, drain: [], removable: ['old'] },
    },
    {
      name: 'only as many as the target asks: the others drained earlier are released',
      target: 2,
      live: 4,
      pods: [pod('a'), pod('b'), pod('c'), pod('d')],
      hb: [idle('a', true), idle('b', true), idle('c', true), busy('d')],
      want: { replicas: 2, drain: ['a', 'b'], removable: ['a', 'b'] },
    },
    {
      name: 'a target at or above live releases every request',
      target: 5,
      live: 4,
      pods: [pod('a'), pod('b')],
      hb: [idle('a', true), idle('b', true)],
      want: { replicas: 5, drain: [], removable: [] },
    },
  ];
  for (const c of cases) it(c.name, () => expect(scaleDownPlan(c.target, c.live, c.pods, c.hb, NOW)).toEqual(c.want));
});
