// The queue columns of `kubectl get ic`, from GET /v1/queue of the cluster's API.
import { describe, expect, it } from 'vitest';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { computeClusterStatus } from '../../src/controller/status/cluster-status.ts';
import type { QueueView } from '../../src/controller/cluster-api/cluster-api.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const NOW = new Date('2026-11-29T20:00:00Z');
const queue: QueueView = {
  waiting: 7,
  active: 2,
  delayed: 1,
  failed: 3,
  workers: [
    { id: 'w1', busy: true },
    { id: 'w2', busy: true },
    { id: 'w3', busy: false },
  ],
};

describe('cluster status: queue and worker activity', () => {
  it('fills queue depth and busy/idle workers from the API', () => {
    const s = computeClusterStatus(defaultedCluster('docs', 'ns', { stores }), { missingSecrets: [], queue }, NOW);
    expect(s.queue).toEqual({ waiting: 7, active: 2, delayed: 1, failed: 3 });
    expect(s.workers).toMatchObject({ busy: 2, idle: 1 });
  });

  it('keeps the last measurement while the API cannot be asked', () => {
    const c = defaultedCluster('docs', 'ns', { stores });
    c.status = computeClusterStatus(c, { missingSecrets: [], queue }, NOW);
    const s = computeClusterStatus(c, { missingSecrets: [] }, NOW);
    expect(s.queue).toEqual({ waiting: 7, active: 2, delayed: 1, failed: 3 });
    expect(s.workers).toMatchObject({ busy: 2, idle: 1 });
  });

  it('reports nothing before the first measurement', () => {
    const s = computeClusterStatus(defaultedCluster('docs', 'ns', { stores }), { missingSecrets: [] }, NOW);
    expect(s).not.toHaveProperty('queue');
    expect(s.workers).not.toHaveProperty('busy');
  });
});
