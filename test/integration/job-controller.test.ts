// The IngestionJob controller against the real apiserver, driving a stand-in for the cluster's
// API: the finalizer, waiting for a missing cluster, submitting, status, Events and deletion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { jobController } from '../../src/controller/job/job-controller.ts';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { createOperator } from '../../src/controller/operator.ts';
import { quietLog } from '../support/controller.ts';
import { startFakeClusterApi, type FakeClusterApi } from '../support/fake-cluster-api.ts';
import { condition, getJob as getJobIn, jobManifest, readyCluster as readyClusterIn } from '../support/job-fixtures.ts';
import { createNamespace, eventually, kubeConfig, kubectl, kubectlOk } from '../support/kube.ts';

const KEY = 'sk_test_operator_key';
const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);

let ns: Awaited<ReturnType<typeof createNamespace>>;
let api: FakeClusterApi;
let manager: Manager;
const lines: string[] = [];

beforeAll(async () => {
  ns = await createNamespace('ij');
  api = await startFakeClusterApi(KEY);
  // The job controller alone: the cluster's status is set by hand below, as its controller would.
  manager = createOperator({ kc, log: quietLog(lines), namespace: ns.name, httpPort: 0, httpHost: '127.0.0.1', leaderElection: false, controllers: [jobController], clusterApiUrl: api.url });
  await manager.start();
});
afterAll(async () => {
  await manager?.stop();
  await api?.close();
  await ns?.remove();
});

const apply = (yaml: string) => kubectlOk(['apply', '-n', ns.name, '-f', '-'], yaml);
const getJob = (name: string) => getJobIn(ns.name, name);
const events = async (name: string) => (await core.listNamespacedEvent({ namespace: ns.name, fieldSelector: `involvedObject.name=${name}` })).items;
const readyCluster = (name: string) => readyClusterIn(ns.name, name, KEY);

describe('IngestionJob controller', () => {
  it('adds its finalizer and reports a missing cluster as ClusterReady False', async () => {
    await apply(jobManifest('orphan', 'nowhere'));
    const j = await eventually('ClusterReady=False', async () => {
      const x = await getJob('orphan');
      return condition(x, 'ClusterReady')?.status === 'False' ? x : undefined;
    });
    expect(j.metadata.finalizers).toContain('sluice.dev/job-cleanup');
    expect(condition(j, 'ClusterReady')).toMatchObject({ reason: 'ClusterNotFound', message: `IngestionCluster "nowhere" not found in namespace ${ns.name}.` });
    expect(j.status?.phase).toBe('Pending');
    expect(j.status?.observedGeneration).toBe(j.metadata.generation);
  });

  it('releases the finalizer of a job whose cluster is missing, with a Warning Event', async () => {
    await kubectlOk(['delete', 'ij', 'orphan', '-n', ns.name, '--wait=true', '--timeout=30s']);
    expect(await getJob('orphan')).toBeUndefined();
    const warning = (await events('orphan')).find((e) => e.reason === 'CleanupSkipped');
    expect(warning).toMatchObject({ type: 'Warning' });
    expect(warning?.message).toContain('IngestionCluster "nowhere" no longer exists');
    expect(api.requests.filter((r) => r.includes('/v1/jobs/'))).toEqual([]);
  });

  it('proceeds once the cluster exists and is ready: PUT, status, Started', async () => {
    await apply(jobManifest('handbooks', 'docs', '  metadata: { source: hr }\n  parallelism: 4\n  deletionPolicy: Delete\n'));
    await eventually('ClusterNotFound', async () => condition(await getJob('handbooks'), 'ClusterReady')?.reason === 'ClusterNotFound');
    await readyCluster('docs');
    const j = await eventually('Running with ClusterReady=True', async () => {
      const x = await getJob('handbooks');
      return x?.status?.phase === 'Running' && condition(x, 'ClusterReady')?.status === 'True' ? x : undefined;
    });
    const submitted = api.jobs.get(j.metadata.uid!);
    expect(submitted?.body).toMatchObject({
      collection: 'handbooks',
      sources: { inline: [{ uri: 'https://docs.example/a.pdf' }, { uri: 'https://docs.example/b.pdf', name: 'b' }] },
      metadata: { source: 'hr' },
      parallelism: 4,
      dedupPolicy: 'Skip',
    });
    expect(j.status).toMatchObject({ progress: '0/2', counts: { total: 2, queued: 2, active: 0, succeeded: 0, failed: 0, skipped: 0 } });
    expect(condition(j, 'Accepted')).toMatchObject({ status: 'True' });
    await eventually('the Started Event', async () => (await events('handbooks')).some((e) => e.reason === 'Started'));
  });

  it('follows the API, replaces status (no stale fields) and completes for kubectl wait', async () => {
    const uid = (await getJob('handbooks'))!.metadata.uid!;
    api.update(uid, { counts: { total: 2, pending: 0, queued: 0, active: 1, succeeded: 1, failed: 0, skipped: 0 }, rate: 0.5, etaSeconds: 2 });
    await eventually('progress 1/2 with a rate', async () => {
      const x = await getJob('handbooks');
      return x?.status?.progress === '1/2' && x.status.rate === 0.5 && x.status.etaSeconds === 2;
    });
    // What kubectl shows, Prometheus reads from the operator (the dashboard's progress and ETA).
    const metrics = await (await fetch(`http://127.0.0.1:${manager.httpPort}/metrics`)).text();
    const labels = `namespace="${ns.name}",ingestion_job="handbooks",ingestion_cluster="docs"`;
    expect(metrics).toContain(`sluice_job_documents{${labels},state="succeeded"} 1`);
    expect(metrics).toContain(`sluice_job_documents{${labels},state="total"} 2`);
    expect(metrics).toContain(`sluice_job_eta_seconds{${labels}} 2`);
    expect(metrics).toContain(`sluice_job_phase{${labels},phase="Running"} 1`);
    api.update(uid, { state: 'Complete', counts: { total: 2, pending: 0, queued: 0, active: 0, succeeded: 2, failed: 0, skipped: 0 }, completionTime: new Date().toISOString() });
    const wait = await kubectl(['wait', '--for=condition=Complete', 'ij/handbooks', '-n', ns.name, '--timeout=60s']);
    expect(wait.code, wait.stderr).toBe(0);
    const done = (await getJob('handbooks'))!;
    expect(done.status).toMatchObject({ phase: 'Complete', progress: '2/2' });
    expect(done.status).not.toHaveProperty('rate');
    expect(done.status).not.toHaveProperty('etaSeconds');
    expect(condition(done, 'SuccessCriteriaMet')?.status).toBe('True');
    await eventually('the Completed Event', async () => (await events('handbooks')).some((e) => e.reason === 'Completed'));
    const row = (await kubectlOk(['get', 'ij', 'handbooks', '-n', ns.name])).split('\n')[1];
    expect(row).toMatch(/^handbooks\s+Complete\s+2\/2\s+2\s+0\s+docs\s+/);
  });

  it('purges in the cluster on deletion (deletionPolicy Delete), repeating while the API answers 202', async () => {
    const uid = (await getJob('handbooks'))!.metadata.uid!;
    api.purgeRounds = 2;
    await kubectlOk(['delete', 'ij', 'handbooks', '-n', ns.name, '--wait=true', '--timeout=60s']);
    expect(await getJob('handbooks')).toBeUndefined();
    expect(api.requests.filter((r) => r.startsWith('DELETE'))).toEqual(Array(3).fill(`DELETE /v1/jobs/${uid}?purge=true`));
    expect(api.jobs.has(uid)).toBe(false);
  });

  it('logs no reconcile failure', () => {
    expect(lines.filter((l) => l.includes('reconcile failed'))).toEqual([]);
  });
});
