// Both controllers with the data plane's API: the operator generates a cluster's key, the API
// accepts it once the Secret's `keys` item is in its operator keys file (where the API pod mounts
// it), and then `kubectl get ic` shows the queue and a job is accepted with that key.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../src/crd/ingestion-cluster.ts';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { createOperator } from '../../src/controller/operator.ts';
import { clusterManifest, pgSecret, quietLog } from '../support/controller.ts';
import { ensureFakeNode, startFakeKubelet } from '../support/fake-kubelet.ts';
import { startJobDataPlane, type JobDataPlane } from '../support/job-data-plane.ts';
import { condition, getJob, jobManifest } from '../support/job-fixtures.ts';
import { createNamespace, eventually, kubeConfig, kubectlOk } from '../support/kube.ts';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
let ns: Awaited<ReturnType<typeof createNamespace>>;
let dataPlane: JobDataPlane;
let kubelet: { stop: () => void };
let manager: Manager;

beforeAll(async () => {
  ns = await createNamespace('opkey');
  await ensureFakeNode();
  kubelet = startFakeKubelet(ns.name);
  dataPlane = await startJobDataPlane(undefined);
  manager = createOperator({ kc, log: quietLog(), namespace: ns.name, httpPort: 0, httpHost: '127.0.0.1', leaderElection: false, image: 'example.com/sluice:test', clusterApiUrl: dataPlane.base });
  await manager.start();
});
afterAll(async () => {
  kubelet?.stop();
  await manager?.stop();
  await dataPlane?.stop();
  await ns?.remove();
});

const cluster = async () => (await custom.getNamespacedCustomObject({ group: 'sluice.dev', version: 'v1alpha1', plural: 'ingestionclusters', namespace: ns.name, name: 'docs' })) as IngestionCluster;

describe("the operator's key to a cluster's API", () => {
  it('is generated once, and the API accepts it from the mounted keys item', async () => {
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], pgSecret('docs'));
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], clusterManifest('docs'));
    const secret = await eventually('the operator key Secret', () => core.readNamespacedSecret({ namespace: ns.name, name: 'docs-operator-key' }).catch(() => undefined));
    const key = Buffer.from(secret.data!.key!, 'base64').toString();
    expect(key).toMatch(/^sk_[0-9a-f]{64}$/);
    // What the kubelet does for the API pod: the `keys` item, as a file.
    writeFileSync(dataPlane.operatorKeysFile, Buffer.from(secret.data!.keys!, 'base64'));
    await eventually('the API to accept the key', async () => (await fetch(`${dataPlane.base}/v1/queue`, { headers: { authorization: `Bearer ${key}` } })).ok);
    // Never re-applied: the same key after more reconciles.
    await kubectlOk(['annotate', 'ic', 'docs', '-n', ns.name, `touched=${Date.now()}`]);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await core.readNamespacedSecret({ namespace: ns.name, name: 'docs-operator-key' })).data).toEqual(secret.data);
  });

  it('fills the queue columns of kubectl get ic once the API is ready', async () => {
    const c = await eventually('status.queue', async () => {
      const x = await cluster();
      return x.status?.queue && x.status.workers?.busy !== undefined ? x : undefined;
    }, 60_000);
    expect(c.status?.queue).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    expect(c.status?.workers).toMatchObject({ busy: 0, idle: 0 });
    const [header, row] = (await kubectlOk(['get', 'ic', 'docs', '-n', ns.name, '-o', 'wide'])).split('\n');
    expect(header).toMatch(/^NAME\s+READY\s+WORKERS\s+BUSY\s+QUEUE\s+AGE\s+ACTIVE\s+AUTOSCALING\s+SCALING\s+REASON$/);
    // Workers ready/desired, busy, queued, age, in flight, autoscaling, scale under way, reason.
    expect(row).toMatch(/^docs\s+True\s+1\/1\s+0\s+0\s+\S+\s+0\s+Builtin\s+\S+\s+Ready$/);
  });

  it('lets the job controller submit a job with it', async () => {
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], jobManifest('handbooks', 'docs'));
    const j = await eventually('Accepted', async () => {
      const x = await getJob(ns.name, 'handbooks');
      return condition(x, 'Accepted')?.status === 'True' ? x : undefined;
    }, 60_000);
    expect(condition(j, 'ClusterReady')?.status).toBe('True');
  });
});
