// `npm run bench:controller`: 100 IngestionClusters on a local control plane. Reports the time
// from create to "every child applied and status written", the controller's RSS at rest, and
// the apiserver requests it makes per minute once everything has converged.
import type { ChildProcess } from 'node:child_process';
import { CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, type KubernetesListObject } from '@kubernetes/client-node';
import type { IngestionCluster } from '../src/crd/ingestion-cluster.ts';
import { startControlPlane } from '../src/dev/control-plane.ts';
import { installCrds } from '../src/dev/install-crds.ts';
import { sleep, waitFor } from '../src/dev/net.ts';
import { FaultProxy } from '../test/support/fault-proxy.ts';
import { rssMiB, spawnOperator } from './operator.ts';
import { quantile } from './stats.ts';

const N = Number(process.env.BENCH_CLUSTERS ?? 100);
const QUIET_SECONDS = Number(process.env.BENCH_QUIET_SECONDS ?? 60);
const NS = 'bench';

const cp = await startControlPlane({ log: () => {} });
const proxy = new FaultProxy(cp.kubeconfigPath);
let controller: ChildProcess | undefined;
try {
  await installCrds(cp);
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespace({ body: { metadata: { name: 'sluice-system' } } });
  await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'pg' }, stringData: { uri: 'postgres://x@pg/db' } } });

  const proxied = await proxy.start();
  const operator = await spawnOperator([`--kubeconfig=${proxied}`, '--leader-election-namespace=sluice-system'], { POD_NAME: 'bench-controller' });
  const { port, child } = operator;
  controller = child;
  const stderr = operator.stderr;
  await waitFor('leadership', async () => (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).includes('sluice_controller_leader 1'), 30_000);
  const rssIdle = rssMiB(child.pid!);

  const created = new Map<string, number>();
  const converged = new Map<string, number>();
  const informer = makeInformer<IngestionCluster>(kc, `/apis/sluice.dev/v1alpha1/namespaces/${NS}/ingestionclusters`, () =>
    custom.listNamespacedCustomObject({ group: 'sluice.dev', version: 'v1alpha1', namespace: NS, plural: 'ingestionclusters' }) as Promise<KubernetesListObject<IngestionCluster>>,
  );
  informer.on('update', (c) => {
    const name = c.metadata.name!;
    if (!converged.has(name) && c.status?.observedGeneration === c.metadata.generation) converged.set(name, Date.now());
  });
  await informer.start();

  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    const name = `c${String(i).padStart(3, '0')}`;
    created.set(name, Date.now());
    await custom.createNamespacedCustomObject({
      group: 'sluice.dev',
      version: 'v1alpha1',
      namespace: NS,
      plural: 'ingestionclusters',
      body: { apiVersion: 'sluice.dev/v1alpha1', kind: 'IngestionCluster', metadata: { name }, spec: { stores: { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } } } },
    });
  }
  await waitFor(`${N} clusters converged`, async () => converged.size === N, 300_000, 200);
  const allDone = Date.now() - t0;
  const latencies = [...created].map(([name, at]) => converged.get(name)! - at);
  const sorted = [...latencies].sort((a, b) => a - b);

  // Let the kube-controller-manager finish creating ReplicaSets and pods (their status changes
  // are real events the controller must react to), then measure a quiet period.
  await sleep(Number(process.env.BENCH_SETTLE_SECONDS ?? 60) * 1000);
  const rssAfter = rssMiB(child.pid!);
  const from = Date.now();
  const before = proxy.requests.length;
  await sleep(QUIET_SECONDS * 1000);
  const window = proxy.requests.slice(before).filter((r) => r.at >= from);
  const perMinute = (xs: unknown[]) => ((xs.length * 60) / QUIET_SECONDS).toFixed(1);
  const lease = window.filter((r) => r.path.includes('/leases/'));
  const watches = window.filter((r) => r.watch);
  const other = window.filter((r) => !r.watch && !r.path.includes('/leases/'));
  const byPath = new Map<string, number>();
  for (const r of other) {
    const key = `${r.method} ${r.path.replace(/\/c\d{3}(-[a-z-]+)?/, '/<name>')} → ${r.status ?? '?'}`;
    byPath.set(key, (byPath.get(key) ?? 0) + 1);
  }
  const rssRest = rssMiB(child.pid!);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const heapUsed = Number(/^sluice_controller_nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? NaN) / 2 ** 20;
  informer.stop();

  console.log(`\nSluice controller benchmark (${N} IngestionClusters, local control plane, 2 cores)`);
  console.log(`  create → children applied + status written: p50 ${quantile(sorted, 0.5)} ms, p99 ${quantile(sorted, 0.99)} ms, max ${Math.max(...latencies)} ms`);
  console.log(`  all ${N} converged after ${(allDone / 1000).toFixed(1)} s`);
  console.log(`  controller RSS: ${rssIdle.toFixed(0)} MiB before, ${rssAfter.toFixed(0)} MiB after converging, ${rssRest.toFixed(0)} MiB at rest (V8 heap in use ${heapUsed.toFixed(0)} MiB)`);
  console.log(`  apiserver requests/min at rest (over ${QUIET_SECONDS} s): lease ${perMinute(lease)}, watch (re)starts ${perMinute(watches)}, everything else ${perMinute(other)}`);
  for (const [k, v] of byPath) console.log(`    ${k}: ${v}`);
  if (child.exitCode !== null) throw new Error(`controller exited: ${stderr()}`);
} finally {
  controller?.kill('SIGTERM');
  await proxy.stop();
  await cp.stop();
}
