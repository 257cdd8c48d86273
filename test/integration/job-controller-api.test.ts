// The IngestionJob controller with the data plane's real API in this process (its migrations on
// a throwaway PostgreSQL schema, the machine's Redis), reached with the operator's key: the job
// is submitted once, followed, and removed from the API when the resource is deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobController } from '../../src/controller/job/job-controller.ts';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { createOperator } from '../../src/controller/operator.ts';
import { quietLog } from '../support/controller.ts';
import { startJobDataPlane, type JobDataPlane } from '../support/job-data-plane.ts';
import { condition, getJob, jobManifest, readyCluster } from '../support/job-fixtures.ts';
import { createNamespace, eventually, kubeConfig, kubectlOk } from '../support/kube.ts';

const KEY = `sk_${'ab'.repeat(32)}`;
let ns: Awaited<ReturnType<typeof createNamespace>>;
let dataPlane: JobDataPlane;
let base: string;
let manager: Manager;
const lines: string[] = [];

beforeAll(async () => {
  ns = await createNamespace('ijapi');
  dataPlane = await startJobDataPlane(KEY);
  base = dataPlane.base;
  manager = createOperator({ kc: kubeConfig(), log: quietLog(lines), namespace: ns.name, httpPort: 0, httpHost: '127.0.0.1', leaderElection: false, controllers: [jobController], clusterApiUrl: base });
  await manager.start();
});
afterAll(async () => {
  await manager?.stop();
  await dataPlane?.stop();
  await ns?.remove();
});

const apiJob = (id: string) => fetch(`${base}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${KEY}` } });
const requests = async (operation: string, outcome: string) =>
  (await manager.metrics.clusterApiRequests.get()).values.find((v) => v.labels.operation === operation && v.labels.outcome === outcome)?.value ?? 0;

describe('IngestionJob controller with the real API', () => {
  it('waits for the cluster, then submits the job once and copies its view into status', async () => {
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], jobManifest('handbooks', 'docs', '  deletionPolicy: Delete\n  parallelism: 3\n'));
    await eventually('ClusterNotFound', async () => condition(await getJob(ns.name, 'handbooks'), 'ClusterReady')?.reason === 'ClusterNotFound');
    await readyCluster(ns.name, 'docs', KEY);
    const j = await eventually('Accepted by the API', async () => {
      const x = await getJob(ns.name, 'handbooks');
      return condition(x, 'Accepted')?.status === 'True' ? x : undefined;
    });
    expect(condition(j, 'ClusterReady')?.status).toBe('True');
    expect(['Pending', 'Running']).toContain(j.status?.phase);
    expect(j.status?.embedding).toEqual({ model: 'sluice-hash-v1', dimensions: 384 });
    const view = (await (await apiJob(j.metadata.uid!)).json()) as { job: { collection: string; specHash: string } };
    expect(view.job.collection).toBe('handbooks');
    // Polled since, and never PUT again: the API's specHash matches the operator's.
    await eventually('a few polls', async () => (await requests('getJob', '200')) >= 2);
    expect(await requests('putJob', '201')).toBe(1);
    expect(await requests('putJob', '200')).toBe(0);
  });

  it('PUTs again when the spec changes', async () => {
    await kubectlOk(['patch', 'ij', 'handbooks', '-n', ns.name, '--type=merge', '-p', '{"spec":{"parallelism":5}}']);
    await eventually('the update', async () => (await requests('putJob', '200')) === 1);
  });

  it('removes the job from the API when the resource is deleted', async () => {
    const uid = (await getJob(ns.name, 'handbooks'))!.metadata.uid!;
    await kubectlOk(['delete', 'ij', 'handbooks', '-n', ns.name, '--wait=true', '--timeout=60s']);
    expect(await getJob(ns.name, 'handbooks')).toBeUndefined();
    expect((await apiJob(uid)).status).toBe(404);
    expect(lines.filter((l) => l.includes('reconcile failed'))).toEqual([]);
  });
});
