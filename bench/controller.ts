// `npm run bench:controller`: 100 IngestionClusters on a local control plane. The operator runs
// as its pod runs it: compiled JavaScript, in its own process, with the Node flags of its
// Deployment (manifests/manager/deployment.yaml). Reports the time from create to "every child
// applied and status written", the operator's CPU meanwhile, its memory idle, converged and at
// rest (resident, anonymous and file pages, V8 heap), the apiserver requests and applies it makes
// once everything has converged, and the time the apiserver alone takes to write the same objects
// (bench/apiserver-writes.ts), with the ratio. Both talk to the apiserver through the same
// counting proxy (plain HTTP on loopback) in this process.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, type KubernetesListObject } from '@kubernetes/client-node';
import { DEFAULT_IMAGE } from '../src/controller/constants.ts';
import type { IngestionCluster } from '../src/crd/ingestion-cluster.ts';
import { startControlPlane } from '@sluice/devenv/control-plane';
import { installCrds } from '@sluice/devenv/install-crds';
import { sleep, waitFor } from '@sluice/devenv/net';
import { FaultProxy } from '../test/support/fault-proxy.ts';
import { writeDirectly } from './apiserver-writes.ts';
import { buildOperator, cpuSeconds, deployedNodeFlags, formatMemory, operatorMemory, spawnOperator, type OperatorMemory } from './operator.ts';
import { quantile } from './stats.ts';

const N = Number(process.env.BENCH_CLUSTERS ?? 100);
const QUIET_SECONDS = Number(process.env.BENCH_QUIET_SECONDS ?? 60);
/** Clusters in flight in the apiserver-only runs: the operator's reconcile concurrency, and more. */
const DIRECT_CONCURRENCY = (process.env.BENCH_DIRECT_CONCURRENCY ?? '4,16').split(',').map(Number).filter((c) => c > 0);
/** `1`: write a heap snapshot of the operator at rest (into a temporary directory, printed). */
const HEAP_SNAPSHOT = process.env.BENCH_HEAP_SNAPSHOT === '1';
const NS = 'bench';
const SPEC = { stores: { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } } } as IngestionCluster['spec'];
const names = Array.from({ length: N }, (_, i) => `c${String(i).padStart(3, '0')}`);

// BENCH_OPERATOR_DIST: an operator built before (by buildOperator), e.g. one changed to compare.
const [cp, dist] = await Promise.all([startControlPlane({ log: () => {} }), process.env.BENCH_OPERATOR_DIST ?? buildOperator()]);
const proxy = new FaultProxy(cp.kubeconfigPath);
let controller: ChildProcess | undefined;
try {
  await installCrds(cp);
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const namespace = async (name: string) => {
    await core.createNamespace({ body: { metadata: { name } } });
    await core.createNamespacedSecret({ namespace: name, body: { metadata: { name: 'pg' }, stringData: { uri: 'postgres://x@pg/db' } } });
  };
  await namespace(NS);
  await core.createNamespace({ body: { metadata: { name: 'sluice-system' } } });
  // The operator's own pod (never scheduled: no node here), whose image it reads at start, as deployed.
  await waitFor('the operator\'s pod object', () =>
    core.createNamespacedPod({ namespace: 'sluice-system', body: { metadata: { name: 'bench-controller' }, spec: { containers: [{ name: 'operator', image: DEFAULT_IMAGE }] } } }).then(() => true, () => false),
  30_000);

  const proxied = await proxy.start();
  // As deployed, unless BENCH_OPERATOR_NODE_FLAGS says otherwise (to compare).
  const nodeFlags = process.env.BENCH_OPERATOR_NODE_FLAGS === undefined ? deployedNodeFlags() : process.env.BENCH_OPERATOR_NODE_FLAGS.split(' ').filter(Boolean);
  const snapshotDir = HEAP_SNAPSHOT ? await mkdtemp(join(tmpdir(), 'sluice-operator-heap-')) : undefined;
  const operator = await spawnOperator(
    [`--kubeconfig=${proxied}`, '--leader-election-namespace=sluice-system'],
    { POD_NAME: 'bench-controller', NODE_ENV: 'production', NODE_OPTIONS: [process.env.BENCH_OPERATOR_NODE_OPTIONS ?? '', snapshotDir ? `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}` : ''].join(' ').trim() },
    { dist },
    nodeFlags,
  );
  const { port, child } = operator;
  controller = child;
  const stderr = operator.stderr;
  const metric = async (name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
  };
  await waitFor('leadership', async () => (await metric('sluice_controller_leader')) === 1, 30_000);
  const memIdle = await operatorMemory(port, child.pid!);
  const cpuIdle = cpuSeconds(child.pid!);

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

  // Created at once: as many in flight as the apiserver-only run's most, so both runs create alike.
  const t0 = Date.now();
  const toCreate = [...names];
  await Promise.all(
    Array.from({ length: Math.max(1, ...DIRECT_CONCURRENCY) }, async () => {
      for (let name = toCreate.shift(); name !== undefined; name = toCreate.shift()) {
        created.set(name, Date.now());
        await custom.createNamespacedCustomObject({
          group: 'sluice.dev',
          version: 'v1alpha1',
          namespace: NS,
          plural: 'ingestionclusters',
          body: { apiVersion: 'sluice.dev/v1alpha1', kind: 'IngestionCluster', metadata: { name }, spec: SPEC },
        });
      }
    }),
  );
  const allCreated = Date.now() - t0;
  await waitFor(`${N} clusters converged`, async () => converged.size === N, 300_000, 200);
  const allDone = Date.now() - t0;
  const memConverged = await operatorMemory(port, child.pid!);
  const convergingRequests = proxy.requests.filter((r) => !r.watch && r.at >= t0 && r.at <= t0 + allDone && !r.path.includes('/leases/'));
  const cpuConverging = cpuSeconds(child.pid!) - cpuIdle;
  const latencies = [...created].map(([name, at]) => converged.get(name)! - at);
  const sorted = [...latencies].sort((a, b) => a - b);

  // Let the kube-controller-manager finish creating ReplicaSets and pods (their status changes
  // are real events the controller must react to), then measure a quiet period.
  await sleep(Number(process.env.BENCH_SETTLE_SECONDS ?? 60) * 1000);
  const memSettled = await operatorMemory(port, child.pid!);
  const from = Date.now();
  const before = proxy.requests.length;
  const appliesBefore = await metric('sluice_controller_applies_total');
  await sleep(QUIET_SECONDS * 1000);
  const window = proxy.requests.slice(before).filter((r) => r.at >= from);
  const appliesAtRest = (await metric('sluice_controller_applies_total')) - appliesBefore;
  const perMinute = (xs: unknown[]) => ((xs.length * 60) / QUIET_SECONDS).toFixed(1);
  const lease = window.filter((r) => r.path.includes('/leases/'));
  const watches = window.filter((r) => r.watch);
  const other = window.filter((r) => !r.watch && !r.path.includes('/leases/'));
  const byPath = new Map<string, number>();
  for (const r of other) {
    const key = `${r.method} ${r.path.replace(/\/c\d{3}(-[a-z-]+)?/, '/<name>')} → ${r.status ?? '?'}`;
    byPath.set(key, (byPath.get(key) ?? 0) + 1);
  }
  const memRest = await operatorMemory(port, child.pid!);
  let snapshot: string | undefined;
  if (snapshotDir) {
    child.kill('SIGUSR2');
    await waitFor('the heap snapshot', async () => (await readdir(snapshotDir)).some((f) => f.endsWith('.heapsnapshot')), 120_000, 500);
    await sleep(2_000);
    snapshot = join(snapshotDir, (await readdir(snapshotDir)).find((f) => f.endsWith('.heapsnapshot'))!);
  }
  if (child.exitCode !== null) throw new Error(`controller exited: ${stderr()}`);
  void informer.stop();
  child.kill('SIGTERM');
  await once(child, 'exit');
  controller = undefined;
  const mem = (what: string, m: OperatorMemory) => console.log(`  operator ${what}: ${formatMemory(m)}`);
  console.log(`\nSluice controller benchmark (${N} IngestionClusters, local control plane, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  console.log(`  create → children applied + status written: p50 ${quantile(sorted, 0.5)} ms, p99 ${quantile(sorted, 0.99)} ms, max ${Math.max(...latencies)} ms`);
  console.log(`  all ${N} created after ${(allCreated / 1000).toFixed(1)} s, converged after ${(allDone / 1000).toFixed(1)} s; the operator's CPU meanwhile ${cpuConverging.toFixed(1)} s`);
  console.log(`  its requests meanwhile (leases and watches aside): ${convergingRequests.length}, ${(convergingRequests.length / N).toFixed(1)} per cluster: ${requestKinds(convergingRequests)}`);
  console.log(`  operator run as built (node ${[...nodeFlags, 'dist/main.js controller'].join(' ')})`);
  mem('idle (leader, no clusters)', memIdle);
  mem('when all converged', memConverged);
  mem('after settling', memSettled);
  mem(`at rest (after ${QUIET_SECONDS} s quiet)`, memRest);
  console.log(`  target RSS ≤ 150 MiB for ${N} clusters: ${Math.max(memConverged.rss, memSettled.rss, memRest.rss) <= 150 ? 'met' : 'NOT met'}`);
  console.log(`  applies at rest: ${appliesAtRest} (a converged cluster should cost none)`);
  console.log(`  apiserver requests/min at rest (over ${QUIET_SECONDS} s): lease ${perMinute(lease)}, watch (re)starts ${perMinute(watches)}, everything else ${perMinute(other)}`);
  for (const [k, v] of byPath) console.log(`    ${k}: ${v}`);
  if (snapshot) console.log(`  heap snapshot at rest: ${snapshot}`);

  // The apiserver alone, with the operator stopped, through the same proxy, into fresh namespaces.
  // The control plane's Service range is a /24: the previous run's Services are deleted first.
  const direct: { concurrency: number; ms: number; objects: number }[] = [];
  const proxiedKc = new KubeConfig();
  proxiedKc.loadFromFile(proxied);
  let previous = NS;
  for (const concurrency of DIRECT_CONCURRENCY) {
    await deleteServices(core, previous);
    previous = `bench-direct-${concurrency}`;
    await namespace(previous);
    const d = await writeDirectly(proxiedKc, previous, new Map(names.map((n) => [n, SPEC])), concurrency);
    direct.push({ concurrency, ...d });
    console.log(`  apiserver alone, ${concurrency} clusters in flight: ${d.objects} objects written in ${(d.ms / 1000).toFixed(1)} s (${((d.objects * 1000) / d.ms).toFixed(0)} objects/s)`);
  }
  const fastest = Math.min(...direct.map((d) => d.ms));
  if (direct.length) console.log(`  operator convergence / apiserver alone (fastest): ${(allDone / fastest).toFixed(2)}x`);
} finally {
  controller?.kill('SIGTERM');
  await proxy.stop();
  await cp.stop();
  if (!process.env.BENCH_OPERATOR_DIST) await rm(dirname(dist), { recursive: true, force: true });
}

/** Requests by method, resource and status, most frequent first: "PATCH deployments 200 ×200, …". */
function requestKinds(requests: { method: string; path: string; status?: number }[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const resource = /\/namespaces\/[^/]+\/([a-z]+)(?:\/[^/?]+(\/status)?)?/.exec(r.path);
    const key = `${r.method} ${resource ? `${resource[1]}${resource[2] ?? ''}` : r.path.split('?')[0]} ${r.status ?? '?'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ');
}

async function deleteServices(core: CoreV1Api, namespace: string): Promise<void> {
  const { items } = await core.listNamespacedService({ namespace });
  await Promise.all(items.map((s) => core.deleteNamespacedService({ namespace, name: s.metadata!.name! })));
  await waitFor(`the Services of ${namespace} deleted`, async () => (await core.listNamespacedService({ namespace })).items.length === 0, 60_000, 500);
}
