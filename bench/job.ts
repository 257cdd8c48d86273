// `npm run bench:job`: one IngestionJob of 10,000 small PDFs listed in a manifest served on this
// machine, run by the operator (a child process, through a counting proxy to the apiserver)
// through a local data plane (an API and two workers as child processes). Then the same documents
// uploaded through the API in the same run. Prints the time to expand the manifest, status writes
// per minute, the operator's RSS and apiserver requests, and documents/s both ways.
//   BENCH_DOCS=10000 BENCH_WORKER_CONCURRENCY=2 npm run bench:job
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, CustomObjectsApi, KubeConfig, makeInformer, type KubernetesListObject } from '@kubernetes/client-node';
import type { IngestionJob } from '../src/crd/ingestion-job.ts';
import { startControlPlane } from '@sluice/devenv/control-plane';
import { installCrds } from '@sluice/devenv/install-crds';
import { freePort, sleep, waitFor } from '@sluice/devenv/net';
import { FaultProxy } from '../test/support/fault-proxy.ts';
import { corpus } from './corpus.ts';
import { rssMiB, spawnOperator } from './operator.ts';
import { benchStack, uploadAll } from './stack.ts';

const DOCS = Number(process.env.BENCH_DOCS ?? 10_000);
const CONCURRENCY = process.env.BENCH_WORKER_CONCURRENCY ?? '2';
const LIMIT_S = Number(process.env.BENCH_LIMIT_SECONDS ?? 3600);
const NS = 'bench';
const UPLOADERS = 32;

console.log(`generating ${DOCS} one-page PDFs (cached between runs)`);
const files = await corpus('job', DOCS, () => 1);
const served = http.createServer((req, res) => {
  const path = req.url ?? '/';
  if (path === '/manifest.txt') return void res.end(files.map((_, i) => `${base}/docs/${i}.pdf`).join('\n') + '\n');
  const m = /^\/docs\/(\d+)\.pdf$/.exec(path);
  const f = m ? files[Number(m[1])] : undefined;
  if (!f) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/pdf' }).end(readFileSync(f.path));
});
await new Promise<void>((r) => served.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(served.address() as AddressInfo).port}`;

// The operator's key is chosen here and put in the Secret before the cluster exists: the operator
// creates <cluster>-operator-key only when it is missing, and the local API reads its hash.
const operatorKey = `sk_${randomBytes(32).toString('hex')}`;
const s = await benchStack({ SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true' }, { operatorKey });
const cp = await startControlPlane({ log: () => {} });
const proxy = new FaultProxy(cp.kubeconfigPath);
let operator: ChildProcess | undefined;
try {
  const workerPorts = [await freePort(), await freePort()];
  const workers = workerPorts.map((p) => s.spawnWorker({ SLUICE_WORKER_CONCURRENCY: CONCURRENCY, SLUICE_METRICS_PORT: String(p) }));
  await installCrds(cp);
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'docs-pg' }, stringData: { uri: s.env.SLUICE_POSTGRES_URL! } } });
  await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'docs-operator-key' }, stringData: { key: operatorKey } } });

  const proxied = await proxy.start();
  const op = await spawnOperator([`--kubeconfig=${proxied}`, '--leader-elect=false', `--namespace=${NS}`, `--cluster-api-url=${s.base}`]);
  operator = op.child;
  let rssPeak = rssMiB(operator.pid!);

  await custom.createNamespacedCustomObject({
    group: 'sluice.dev',
    version: 'v1alpha1',
    namespace: NS,
    plural: 'ingestionclusters',
    body: { apiVersion: 'sluice.dev/v1alpha1', kind: 'IngestionCluster', metadata: { name: 'docs' }, spec: { stores: { postgres: { secretRef: { name: 'docs-pg' } }, chroma: { url: s.env.SLUICE_CHROMA_URL } } } },
  });
  let statusWrites = 0;
  let lastStatus = '';
  let job: IngestionJob | undefined;
  const informer = makeInformer<IngestionJob>(kc, `/apis/sluice.dev/v1alpha1/namespaces/${NS}/ingestionjobs`, () =>
    custom.listNamespacedCustomObject({ group: 'sluice.dev', version: 'v1alpha1', namespace: NS, plural: 'ingestionjobs' }) as Promise<KubernetesListObject<IngestionJob>>,
  );
  informer.on('update', (j) => {
    const st = JSON.stringify(j.status ?? {});
    if (st !== lastStatus) statusWrites++;
    lastStatus = st;
    job = j;
  });
  informer.on('add', (j) => void (job = j));
  await informer.start();

  const requestsBefore = proxy.requests.length;
  const t0 = performance.now();
  await custom.createNamespacedCustomObject({
    group: 'sluice.dev',
    version: 'v1alpha1',
    namespace: NS,
    plural: 'ingestionjobs',
    body: {
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'IngestionJob',
      metadata: { name: 'bench' },
      spec: { clusterRef: { name: 'docs' }, collection: 'bench-job', sources: { manifest: { url: `${base}/manifest.txt` } }, parallelism: 50 },
    },
  });
  await waitFor('the job to exist', async () => job?.metadata.uid !== undefined, 30_000);
  const uid = job!.metadata.uid!;
  let expandedAt: number | undefined;
  let last = '';
  for (;;) {
    await sleep(250);
    rssPeak = Math.max(rssPeak, rssMiB(operator.pid!));
    const r = await fetch(`${s.base}/v1/jobs/${uid}`, { headers: { authorization: `Bearer ${operatorKey}` } });
    if (r.status === 404) continue;
    const view = ((await r.json()) as { job: { state: string; expansion: { done: boolean }; counts: Record<string, number> } }).job;
    if (expandedAt === undefined && view.expansion.done) expandedAt = performance.now();
    const line = `${view.state} ${JSON.stringify(view.counts)}`;
    if (line !== last && Math.random() < 0.05) console.log(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${line}`);
    last = line;
    if (job?.status?.phase === 'Complete' || job?.status?.phase === 'Failed') break;
    if ((performance.now() - t0) / 1000 > LIMIT_S) throw new Error(`not finished after ${LIMIT_S} s: ${line}`);
    if (operator.exitCode !== null) throw new Error(`the operator exited: ${op.stderr()}`);
    if (workers.some((w) => w.exitCode !== null)) throw new Error('a worker exited');
  }
  const jobSeconds = (performance.now() - t0) / 1000;
  const operatorRequests = proxy.requests.length - requestsBefore;
  const finalStatus = job!.status!;
  informer.stop();

  // The same documents uploaded through the API, into another collection (dedup is per collection).
  const u0 = performance.now();
  const errors = await uploadAll(s.base, s.key, 'bench-upload', files.map((f) => f.path), UPLOADERS);
  for (;;) {
    const { rows } = await s.pg.query<{ n: string }>(`SELECT count(*) AS n FROM documents WHERE collection = 'bench-upload' AND state IN ('succeeded', 'failed')`);
    if (Number(rows[0]?.n) >= files.length - errors) break;
    if ((performance.now() - u0) / 1000 > LIMIT_S) throw new Error(`uploads not finished after ${LIMIT_S} s`);
    await sleep(250);
  }
  const uploadSeconds = (performance.now() - u0) / 1000;

  const perMin = (n: number, s: number) => ((n * 60) / s).toFixed(1);
  console.log(`\nSluice IngestionJob benchmark (${DOCS} one-page PDFs from a manifest URL; 2 workers x concurrency ${CONCURRENCY}; 2 cores)`);
  console.log(`  job:            ${finalStatus.phase} ${finalStatus.progress}, succeeded ${finalStatus.counts?.succeeded}, failed ${finalStatus.counts?.failed}, skipped ${finalStatus.counts?.skipped}`);
  console.log(`  expansion:      ${(((expandedAt ?? performance.now()) - t0) / 1000).toFixed(1)} s from creating the IngestionJob to every document recorded`);
  console.log(`  status writes:  ${statusWrites} in ${jobSeconds.toFixed(0)} s = ${perMin(statusWrites, jobSeconds)}/min`);
  console.log(`  operator:       peak RSS ${rssPeak.toFixed(0)} MiB; ${operatorRequests} apiserver requests = ${perMin(operatorRequests, jobSeconds)}/min`);
  console.log(`  end to end:     job ${(DOCS / jobSeconds).toFixed(1)} documents/s (${jobSeconds.toFixed(1)} s) vs uploads through the API ${((DOCS - errors) / uploadSeconds).toFixed(1)} documents/s (${uploadSeconds.toFixed(1)} s, ${errors} upload errors)`);
  console.log(`  ratio:          the job runs at ${((DOCS / jobSeconds) / ((DOCS - errors) / uploadSeconds)).toFixed(2)}x the upload path's rate`);
  if (operator.exitCode !== null) throw new Error(`the operator exited: ${op.stderr()}`);
} finally {
  operator?.kill('SIGTERM');
  await proxy.stop();
  await cp.stop();
  await s.stop();
  served.close();
}
