// `npm start`: Sluice on a real one-machine Kubernetes, every part of it in pods. Starts the local
// control plane with a node, builds and imports the images, installs Sluice with `kubectl apply
// -k .` (the operator as its own pods with its own RBAC), the dev stores (manifests/dev) and the
// examples; waits for it all to be Ready; uploads the example PDF through the API Service and
// searches it, and follows the example IngestionJob (reading from a local SeaweedFS) to Complete.
// Then it stays up, printing what to try, until Ctrl-C stops everything.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { followJob, ingestAndSearch, searchOnce } from './demo.ts';
import { devImageSpecs, imageArchive } from './images/dev-images.ts';
import { importArchive } from './node/images.ts';
import { run } from './run.ts';
import type { SeaweedFs } from './seaweedfs.ts';
import { EXAMPLE_S3, SAMPLE_HANDBOOKS, startExampleStore } from './start/example-store.ts';
import { DEMO_CHUNKING, EXAMPLES_NAMESPACE as NS, installSluice, type Kubectl } from './start/install.ts';
import { relayTcp, type TcpRelay } from './start/tcp-relay.ts';
import { clusterReady, readyPods } from './start/wait-ready.ts';

if (process.getuid?.() !== 0) {
  console.error('npm start runs a real Kubernetes node (containerd, kubelet, kube-proxy: network namespaces, cgroups, nftables), which needs root. Run it as root, e.g. `sudo npm start`.');
  process.exit(1);
}

const repo = fileURLToPath(new URL('../../', import.meta.url));
/** examples/secrets.yaml holds this key's sha256. */
const API_KEY = 'dev-key';
const JOB = 'handbooks-2026';
const started = performance.now();
const since = (t = started) => `${((performance.now() - t) / 1000).toFixed(1)} s`;
const say = (s: string) => console.log(s);

// What needs no cluster runs while the control plane starts: the example object store and the
// image archive (a warm build only checks its inputs).
const store = startExampleStore(repo, (l) => say(`[seaweedfs] ${l}`));
const archive = devImageSpecs((l) => say(`[images] ${l}`)).then((specs) => imageArchive(specs, (l) => say(`[images] ${l}`)));
const controlPlane = startControlPlane({ node: true });
// Each is awaited below; a rejection before then must not end the process unhandled.
for (const p of [store, archive, controlPlane]) p.catch(() => {});

let relay: TcpRelay | undefined;
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  say('\nstopping: the relay, the object store, the node (every pod) and the control plane');
  await relay?.stop();
  await store.then((s) => s.stop(), () => {});
  // A start still under way is let finish, so that its stop removes all it made.
  await controlPlane.then((cp) => cp.stop(), () => {});
  process.exit(code);
};
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

let cp: ControlPlane;
let s3: SeaweedFs;
let apiBase = '';
const times: string[] = [];
try {
  [cp, s3] = await Promise.all([controlPlane, store]);
  // The machine runs one node: a start may first wait for another run's to stop.
  const nodeUp = performance.now();
  const node = cp.node!;
  const kubectl: Kubectl = async (args, input) => (await run(cp.binaries.kubectl, args, { env: cp.kubectlEnv, ...(input === undefined ? {} : { input }) })).stdout;
  say(`object store: ${s3.s3Url}, bucket ${EXAMPLE_S3.bucket} seeded with ${SAMPLE_HANDBOOKS + 1} PDFs under ${EXAMPLE_S3.prefix}`);

  // Pods reach the node's IP, not this machine's loopback, where the object store listens.
  relay = await relayTcp({ host: node.ip, port: EXAMPLE_S3.port }, { host: '127.0.0.1', port: EXAMPLE_S3.port });
  const s3Endpoint = `http://${node.ip}:${EXAMPLE_S3.port}`;

  const images = await archive;
  const tImport = performance.now();
  await importArchive({ ctr: node.binaries.ctr, socket: node.containerdSocket }, images);
  say(`images imported into the node's containerd in ${since(tImport)}`);

  await installSluice(kubectl, repo, s3Endpoint);
  say(`installed: kubectl apply -k manifests/dev, -k . and -n ${NS} -k manifests/dev/examples (the job's object store at ${s3Endpoint}, chunks of ${DEMO_CHUNKING.chunkSize} characters)`);
  const waitMs = 300_000;
  await Promise.all([
    readyPods(kubectl, 'sluice-system', 'app.kubernetes.io/component=operator', 2, waitMs),
    readyPods(kubectl, 'db', 'app.kubernetes.io/name=postgres', 1, waitMs),
    readyPods(kubectl, 'chroma', 'app.kubernetes.io/name=chroma', 1, waitMs),
    readyPods(kubectl, NS, 'app.kubernetes.io/instance=docs,app.kubernetes.io/component=redis', 1, waitMs),
    readyPods(kubectl, NS, 'app.kubernetes.io/instance=docs,app.kubernetes.io/component=api', 2, waitMs),
  ]);
  await clusterReady(kubectl, NS, 'docs', waitMs);
  times.push(`ready (operator, stores, Redis, API pods Ready; ic docs READY True) in ${since()}, ${since(nodeUp)} after the control plane and node were up`);
  say(`\nSluice is ready (${since()}):\n${await kubectl(['get', 'pods', '-A'])}\n${await kubectl(['-n', NS, 'get', 'sluice,deployments,statefulsets,services'])}`);

  const ip = (await kubectl(['-n', NS, 'get', 'service', 'docs-api', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  const port = (await kubectl(['-n', NS, 'get', 'service', 'docs-api', '-o', 'jsonpath={.spec.ports[0].port}'])).trim();
  apiBase = `http://${ip}:${port}`;

  // The upload reaches an API pod through kube-proxy's rules for the ClusterIP; a worker pod
  // (autoscaled from zero by the operator) parses it.
  say(`\nThe example PDF through the API Service ${apiBase}:`);
  const tUpload = performance.now();
  await ingestAndSearch(apiBase, API_KEY, join(repo, 'examples'), 'uploads', 'how much does a hotel night cost', (l) => say(`  ${l}`), waitMs);
  times.push(`the example PDF uploaded, parsed in a worker pod and searched in ${since(tUpload)}`);

  // Applied with the examples, the job starts as soon as its cluster's API answers.
  say(`\nThe example IngestionJob (every PDF under s3://${EXAMPLE_S3.bucket}/${EXAMPLE_S3.prefix}, fetched by the worker pods), as kubectl shows it:`);
  await followJob((args) => kubectl(['-n', NS, ...args]), JOB, (l) => say(`  ${l}`), waitMs);
  const job = JSON.parse(await kubectl(['-n', NS, 'get', 'ij', JOB, '-o', 'jsonpath={.status}'])) as { startTime?: string; completionTime?: string };
  const ran = job.startTime && job.completionTime ? ` in ${((Date.parse(job.completionTime) - Date.parse(job.startTime)) / 1000).toFixed(0)} s (status.startTime to completionTime)` : '';
  times.push(`IngestionJob ${JOB} finished${ran}, seen ${since()} after the start`);
  await searchOnce(apiBase, API_KEY, 'handbooks', 'report a lost laptop', (l) => say(`  ${l}`));
  say(`\n${await kubectl(['-n', NS, 'get', 'ic,ij,pods'])}`);
} catch (e) {
  console.error(e);
  await shutdown(1);
}

// A kubeconfig for other shells, with the examples' namespace as its default.
mkdirSync(join(repo, '.sluice'), { recursive: true });
const kubeconfig = join(repo, '.sluice/kubeconfig');
copyFileSync(cp!.kubeconfigPath, kubeconfig);
await run(cp!.binaries.kubectl, ['--kubeconfig', kubeconfig, 'config', 'set-context', '--current', `--namespace=${NS}`]);
say(`
${times.join('\n')}
Sluice is up. In another shell:
  export KUBECONFIG=${kubeconfig}   # namespace ${NS} by default
  alias kubectl=${cp!.binaries.kubectl}
  kubectl get ic,ij                      # or: kubectl get sluice
  kubectl get pods -A
  kubectl describe ij ${JOB}
  kubectl logs -l app.kubernetes.io/component=worker --tail=20
  kubectl -n sluice-system logs deploy/sluice-operator --tail=20
  kubectl patch ij ${JOB} --type=merge -p '{"spec":{"retryNonce":"2"}}'
  kubectl explain ingestionjob.spec
Try the API through its Service (ClusterIP, reached from this machine through kube-proxy):
  curl -H 'Authorization: Bearer ${API_KEY}' '${apiBase}/v1/documents?collection=handbooks'
  curl -H 'Authorization: Bearer ${API_KEY}' -F collection=uploads -F file=@some.pdf ${apiBase}/v1/documents
  curl -H 'Authorization: Bearer ${API_KEY}' -H 'content-type: application/json' \\
       -d '{"collection":"handbooks","query":"parental leave"}' ${apiBase}/v1/search
Ctrl-C stops everything.`);
