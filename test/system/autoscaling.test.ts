// The Builtin autoscaler end to end on the real control plane: the operator measures the queue
// through the cluster's real API (real Redis and PostgreSQL), the real Deployment and ReplicaSet
// controllers create and delete the worker pods, the stand-in kubelet reports them Ready, and
// the test writes worker heartbeats named after those pods, busy or idle as it chooses, and
// drained once the operator asks (as the worker's drain watch does).
import { AppsV1Api, CoreV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POD_DELETION_COST } from '../../src/controller/autoscaling/deletion-costs.ts';
import type { IngestionCluster } from '../../src/crd/ingestion-cluster.ts';
import { GROUP, VERSION } from '../../src/crd/common.ts';
import { drainKeyFor, isDrainRequested } from '../../src/shared/drain.ts';
import { workersKeyFor, writeWorkerHeartbeat } from '../../src/shared/heartbeats.ts';
import { enqueueDocuments, QUEUE_PREFIX, type DocumentJobData } from '../../src/shared/queue.ts';
import { createWorkerRedis } from '../../src/shared/redis.ts';
import { eventually, kubeConfig } from '../support/kube.ts';
import { CLUSTER, startSystem, type System } from './support/system.ts';
import { CustomObjectsApi } from '@kubernetes/client-node';

const POLL_S = 2;
const WINDOW_S = 6;
const COOLDOWN_S = 8;

let sys: System;
let queue: Queue<DocumentJobData>;
let redis: ReturnType<typeof createWorkerRedis>;
let beating = true;
let stopWatch = () => {};
const busy = new Set<string>();
/** Workers that reported drained at some point, and the last deletion cost seen on each pod. */
const drainedSeen = new Set<string>();
const lastCost = new Map<string, string>();
const kc = kubeConfig();
const apps = kc.makeApiClient(AppsV1Api);
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);

const replicas = async () => (await apps.readNamespacedDeployment({ namespace: sys.namespace, name: `${CLUSTER}-worker` })).spec?.replicas ?? 0;
const workerPods = async (): Promise<V1Pod[]> =>
  (await core.listNamespacedPod({ namespace: sys.namespace, labelSelector: `app.kubernetes.io/instance=${CLUSTER},app.kubernetes.io/component=worker` })).items.filter(
    (p) => !p.metadata?.deletionTimestamp,
  );
const cluster = async () => (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: 'ingestionclusters', namespace: sys.namespace, name: CLUSTER })) as IngestionCluster;

/** Polls every 50 ms until `f` holds; the time it took. */
async function timeUntil(what: string, f: () => Promise<boolean>, timeoutMs = 60_000): Promise<number> {
  const t = Date.now();
  while (!(await f())) {
    if (Date.now() - t > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t;
}

beforeAll(async () => {
  sys = await startSystem('autoscale', {
    workers: 0,
    spec: `  autoscaling:
    minReplicas: 0
    maxReplicas: 6
    pollingIntervalSeconds: ${POLL_S}
    cooldownSeconds: ${COOLDOWN_S}
    scaleDown: { stabilizationWindowSeconds: ${WINDOW_S} }
`,
  });
  redis = createWorkerRedis(process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  queue = new Queue<DocumentJobData>(sys.queueName, { connection: redis, prefix: QUEUE_PREFIX });
  // Every deletion cost any worker pod carried, seen through a watch (a pod may be gone in ms).
  const watch = await new Watch(kc).watch(`/api/v1/namespaces/${sys.namespace}/pods`, {}, (_type: string, pod: V1Pod) => {
    const cost = pod.metadata?.annotations?.[POD_DELETION_COST];
    if (cost !== undefined) lastCost.set(pod.metadata!.name!, cost);
  }, () => undefined);
  stopWatch = () => watch.abort();
  // Heartbeats as the worker pods would write them, named after the pods that exist now.
  void (async () => {
    while (beating) {
      const pods = await workerPods().catch(() => []);
      for (const p of pods) {
        const id = p.metadata!.name!;
        // As the worker's drain watch does: drained (and saying so) once asked and idle.
        const drained = !busy.has(id) && (await isDrainRequested(redis, drainKeyFor(sys.queueName), id).catch(() => false));
        if (drained) drainedSeen.add(id);
        await writeWorkerHeartbeat(redis, { id, active: busy.has(id) ? 1 : 0, concurrency: 3, ts: Date.now(), ...(drained ? { draining: true } : {}) }, workersKeyFor(sys.queueName)).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
}, 300_000);

afterAll(async () => {
  beating = false;
  stopWatch();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await redis?.del(workersKeyFor(sys.queueName)).catch(() => undefined);
  redis?.disconnect();
  await sys?.stop();
});

describe('the Builtin autoscaler on a running cluster', () => {
  it('scales an idle cluster to zero after the cooldown', async () => {
    await timeUntil('scale to zero', async () => (await replicas()) === 0, 60_000);
    const c = await cluster();
    expect(c.status?.autoscaling).toMatchObject({ mode: 'Builtin', lastScaleReason: 'ScaleToZero' });
    expect(c.status?.workers?.desired).toBe(0);
  });

  it('raises replicas within one polling interval of 100 documents being enqueued', async () => {
    await enqueueDocuments(
      queue,
      Array.from({ length: 100 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, attempts: 0 })),
    );
    const reaction = await timeUntil('replicas to rise', async () => (await replicas()) > 0, 30_000);
    console.log(`[autoscale] reaction time: ${reaction} ms from 100 documents enqueued to the worker Deployment's replicas raised (polling interval ${POLL_S} s)`);
    // One interval at worst for the next measurement, and the reconcile: under the 5 s target.
    expect(reaction).toBeLessThan(5_000);
    // Then up to maxReplicas, as fast as the scale-up policy allows.
    await timeUntil('max replicas', async () => (await replicas()) === 6, 30_000);
    await timeUntil('six Ready worker pods', async () => (await workerPods()).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 6);
    await eventually('the status to show the queue and the workers', async () => {
      const c = await cluster();
      return c.status?.queue?.waiting === 100 && c.status.workers?.desired === 6 && c.status.workers.summary === '6/6' && c.status.workers.busy === 0;
    });
  });

  it('after the queue drains, lowers replicas only after the stabilization window, draining and removing idle pods and keeping busy ones', async () => {
    const pods = (await workerPods()).map((p) => p.metadata!.name!).sort();
    busy.add(pods[0]!);
    busy.add(pods[3]!);
    // Wait until the autoscaler has seen the two busy workers.
    await eventually('two busy workers in status', async () => (await cluster()).status?.workers?.busy === 2);
    await queue.drain(true);
    const drained = Date.now();
    const fall = await timeUntil('replicas to fall', async () => (await replicas()) < 6, 60_000);
    console.log(`[autoscale] replicas fell ${fall} ms after the queue drained (stabilization window ${WINDOW_S} s)`);
    // The window counts from the last measurement that wanted six, at most one interval before the drain.
    expect(fall).toBeGreaterThanOrEqual((WINDOW_S - POLL_S) * 1000);
    expect(await replicas()).toBe(2); // every idle worker goes, both busy ones stay

    await timeUntil('the ReplicaSet to remove the idle pods', async () => (await workerPods()).length === 2, 30_000);
    const left = (await workerPods()).map((p) => p.metadata!.name!).sort();
    expect(left).toEqual([...busy].sort());
    // Every pod removed had been asked to drain and had reported drained; no busy one was asked.
    for (const name of pods.filter((p) => !busy.has(p))) expect(drainedSeen).toContain(name);
    for (const name of busy) expect(drainedSeen).not.toContain(name);
    for (const name of busy) expect(Number(lastCost.get(name))).toBeGreaterThan(0);
    for (const name of pods.filter((p) => !busy.has(p))) expect(Number(lastCost.get(name)), name).toBeLessThan(0);
    expect(Date.now() - drained).toBeLessThan(60_000);
  });

  it('goes to zero only once every worker has been idle for the cooldown', async () => {
    await new Promise((r) => setTimeout(r, (COOLDOWN_S + 2) * 1000));
    expect(await replicas()).toBe(2); // still busy: never to zero
    busy.clear();
    const idle = Date.now();
    await timeUntil('scale to zero', async () => (await replicas()) === 0, 60_000);
    const after = Date.now() - idle;
    console.log(`[autoscale] scaled to zero ${after} ms after the last worker went idle (cooldown ${COOLDOWN_S} s)`);
    expect(after).toBeGreaterThanOrEqual(COOLDOWN_S * 1000 - 1_000);
    const c = await cluster();
    expect(c.status?.autoscaling?.lastScaleReason).toBe('ScaleToZero');
  });
});
