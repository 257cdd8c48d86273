// The controller process behind a fault-injecting proxy: 409s on status writes, 500s, cut
// watches and 410 Gone. It converges every time, and its process never exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { inject } from 'vitest';
import type { IngestionCluster } from '../../src/crd/ingestion-cluster.ts';
import { freePort } from '@sluice/devenv/net';
import { clusterManifest, pgSecret } from '../support/controller.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { createNamespace, eventually, kubeConfig, kubectlOk } from '../support/kube.ts';

const kc = kubeConfig();
const apps = kc.makeApiClient(AppsV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const core = kc.makeApiClient(CoreV1Api);

let ns: Awaited<ReturnType<typeof createNamespace>>;
let proxy: FaultProxy;
let controller: ChildProcess;
let output = '';
let httpPort: number;

beforeAll(async () => {
  ns = await createNamespace('faults');
  proxy = new FaultProxy(inject('kubeconfig'));
  const kubeconfig = await proxy.start();
  httpPort = await freePort();
  controller = spawn(process.execPath, ['src/controller/main.ts', `--kubeconfig=${kubeconfig}`, '--leader-elect=false', `--namespace=${ns.name}`, `--http-port=${httpPort}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  controller.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  controller.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await eventually('controller ready', async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok, 30_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${output.slice(-3000)}`);
  });
});
afterAll(async () => {
  controller?.kill('SIGKILL');
  await proxy?.stop();
  await ns?.remove();
});

const apply = (yaml: string) => kubectlOk(['apply', '-n', ns.name, '-f', '-'], yaml);
const cluster = async (name: string) =>
  (await custom.getNamespacedCustomObject({ group: 'sluice.dev', version: 'v1alpha1', plural: 'ingestionclusters', namespace: ns.name, name })) as IngestionCluster;
const converged = (name: string) =>
  eventually(`${name} to converge`, async () => {
    const c = await cluster(name);
    return c.status?.observedGeneration === c.metadata.generation && c.status?.conditions?.length ? c : undefined;
  }, 60_000);
const workerConcurrency = async (name: string) =>
  (await core.readNamespacedConfigMap({ namespace: ns.name, name: `${name}-config` })).data?.SLUICE_WORKER_CONCURRENCY;

function expectAlive() {
  expect(controller.exitCode, output.slice(-2000)).toBeNull();
  expect(controller.signalCode).toBeNull();
}

describe('controller under apiserver faults', () => {
  it('converges through 409 conflicts on every first status write', async () => {
    proxy.inject({ match: (r) => r.method === 'PATCH' && /\/ingestionclusters\/[^/]+\/status$/.test(r.url!.split('?')[0]!), status: 409, times: 5 });
    await apply(pgSecret('c409'));
    await apply(clusterManifest('c409'));
    await converged('c409');
    expect(proxy.requests.filter((r) => r.path.endsWith('/status') && r.method === 'PATCH').length).toBeGreaterThan(5);
    expectAlive();
  });

  it('converges while a third of all requests fail with 500', async () => {
    proxy.inject({ match: (r) => !r.url!.includes('watch=true'), status: 500, times: Infinity, probability: 0.33 });
    await apply(pgSecret('c500'));
    await apply(clusterManifest('c500', '  workers: { concurrency: 7 }'));
    await eventually('the config under 500s', async () => (await workerConcurrency('c500')) === '7', 60_000);
    proxy.clearFaults();
    await converged('c500');
    expect(output).toContain('reconcile failed');
    expectAlive();
  });

  it('notices changes after its watches are cut', async () => {
    await eventually('watches open', async () => proxy.cutWatches() > 0);
    await apply(clusterManifest('c500', '  workers: { concurrency: 8 }'));
    await eventually('the change after cut watches', async () => (await workerConcurrency('c500')) === '8', 60_000);
    expectAlive();
  });

  it('relists after 410 Gone and converges', async () => {
    proxy.expireNextWatches(10);
    proxy.cutWatches();
    await apply(clusterManifest('c500', '  workers: { concurrency: 9 }'));
    await eventually('the change after 410s', async () => (await workerConcurrency('c500')) === '9', 60_000);
    const d = await apps.readNamespacedDeployment({ namespace: ns.name, name: 'c500-worker' });
    expect(d.metadata?.ownerReferences?.[0]?.name).toBe('c500');
    expect((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok).toBe(true);
    expectAlive();
  });

  it('reports not ready while an informer is down, and recovers', async () => {
    proxy.inject({ match: () => true, status: 500, times: Infinity });
    proxy.cutWatches();
    await eventually('readyz to fail', async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status === 503, 30_000);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/sluice_controller_informer_up\{resource="\w+"\} 0/);
    proxy.clearFaults();
    await eventually('readyz to recover', async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok, 60_000);
    await apply(clusterManifest('c500', '  workers: { concurrency: 10 }'));
    await eventually('reconciling again', async () => (await workerConcurrency('c500')) === '10', 60_000);
    expectAlive();
  });

  it('counts errors by typed name in /metrics', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/sluice_controller_errors_total\{controller="ingestioncluster",error="(ApplyError|StatusWriteError|StatusConflictError)"\} [1-9]/);
    expect(metrics).toMatch(/sluice_controller_reconciles_total\{controller="ingestioncluster",result="success"\} [1-9]/);
    expectAlive();
  });
});
