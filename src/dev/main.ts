// `npm start`: a local Sluice on this machine. Brings up a real control plane with the CRDs and
// the operator, an S3-compatible object store seeded with sample handbooks, and the data plane as
// local processes; applies the examples; ingests the example PDF through the API and follows the
// example IngestionJob to Complete through kubectl; then stays up until Ctrl-C.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Manager } from '../controller/manager.ts';
import { createLogger } from '../shared/logger.ts';
import { startControlPlane } from './control-plane.ts';
import { followJob, ingestAndSearch, searchOnce } from './demo.ts';
import { installCrds } from './install-crds.ts';
import { startLocalStack, type LocalStack } from './local-stack.ts';
import { run } from './run.ts';
import { sampleHandbooks } from './sample-pdfs.ts';
import { startSeaweedFs, type SeaweedFs } from './seaweedfs.ts';
import { seedBucket } from './seaweedfs-objects.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
/** What examples/ingestion-job.yaml and examples/secrets.yaml name. */
const EXAMPLE_S3 = { port: 8333, bucket: 'sluice-examples', prefix: 'handbooks/', accessKey: 'sluice-example', secretKey: 'sluice-example-secret' };
const started = performance.now();
const cp = await startControlPlane();
let manager: Manager | undefined;
let stack: LocalStack | undefined;
let s3: SeaweedFs | undefined;
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the operator, the data plane, the object store and the local control plane');
  await manager?.stop();
  await stack?.stop();
  await s3?.stop();
  await cp.stop();
  process.exit(code);
};
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
const kubectl = async (args: string[]) => (await run(cp.binaries.kubectl, args, { env: cp.kubectlEnv })).stdout;

try {
  await installCrds(cp);
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);

  // The example job's documents: sample handbooks and the example PDF in a real S3-compatible
  // server on the port the example names.
  s3 = await startSeaweedFs({ s3Port: EXAMPLE_S3.port, accessKey: EXAMPLE_S3.accessKey, secretKey: EXAMPLE_S3.secretKey, log: (l) => console.log(l) });
  await seedBucket(s3, EXAMPLE_S3.bucket, [
    ...(await sampleHandbooks(12, EXAMPLE_S3.prefix)),
    { key: `${EXAMPLE_S3.prefix}employee-handbook.pdf`, body: readFileSync(`${repo}examples/employee-handbook.pdf`) },
  ]);
  console.log(`object store: ${s3.s3Url}, bucket ${EXAMPLE_S3.bucket} seeded with 13 PDFs under ${EXAMPLE_S3.prefix}`);

  // The data plane, as local processes on this machine's Redis and PostgreSQL (the pods the
  // operator creates would run the same code): Chroma, the API and one worker. The API accepts
  // the operator's key, which is put in the Secret the operator would otherwise generate.
  const operatorKey = `sk_${randomBytes(32).toString('hex')}`;
  // Small chunks, so a search over a short example points at one page.
  stack = await startLocalStack({ SLUICE_LOG_LEVEL: 'warn', SLUICE_CHUNK_SIZE: '200', SLUICE_CHUNK_OVERLAP: '20', SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true' }, { operatorKey });
  stack.spawnWorker();
  await kc.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'docs-operator-key' }, stringData: { key: operatorKey } } });

  // The operator, in this process, as `sluice controller` would run it in a cluster; the
  // operator-level setting points it at the local API instead of the cluster's Service.
  manager = new Manager({ kc, log: createLogger({ component: 'controller' }, 'warn'), httpPort: 0, httpHost: '127.0.0.1', leaderElection: false, clusterApiUrl: stack.base });
  await manager.start();
  process.stdout.write(await kubectl(['apply', '-k', `${repo}examples`]));
  await kubectl(['wait', '--for=condition=Degraded=false', '--timeout=60s', 'ic/docs']);
  process.stdout.write(`\n${await kubectl(['get', 'sluice,deployments,statefulsets,services'])}`);
  console.log(`\nThe data plane: API ${stack.base}, Chroma ${stack.env.SLUICE_CHROMA_URL}`);

  await ingestAndSearch(stack.base, stack.key, `${repo}examples`, 'uploads', 'how much does a hotel night cost', (l) => console.log(`  ${l}`));
  console.log('\nThe example IngestionJob, as kubectl shows it while it runs:');
  await followJob((args) => kubectl(args), 'handbooks-2026', (l) => console.log(`  ${l}`));
  await searchOnce(stack.base, stack.key, 'handbooks', 'report a lost laptop', (l) => console.log(`  ${l}`));
} catch (e) {
  console.error(e);
  await shutdown(1);
}

mkdirSync(`${repo}.sluice`, { recursive: true });
copyFileSync(cp.kubeconfigPath, `${repo}.sluice/kubeconfig`);
console.log(`
Sluice is up (${((performance.now() - started) / 1000).toFixed(0)} s). In another shell:
  export KUBECONFIG=${repo}.sluice/kubeconfig
  alias kubectl=${cp.binaries.kubectl}
  kubectl get ic,ij                      # or: kubectl get sluice
  kubectl describe ij handbooks-2026
  kubectl patch ij handbooks-2026 --type=merge -p '{"spec":{"retryNonce":"2"}}'
  kubectl explain ingestionjob.spec
The operator's metrics: http://127.0.0.1:${manager?.httpPort}/metrics
(This control plane has no nodes, so the pods the operator creates stay Pending; the data plane
runs as local processes instead, and the operator reaches it through SLUICE_CLUSTER_API_URL.)
Try the API:
  curl -H 'Authorization: Bearer ${stack?.key}' '${stack?.base}/v1/documents?collection=handbooks'
  curl -H 'Authorization: Bearer ${stack?.key}' -F collection=uploads -F file=@some.pdf ${stack?.base}/v1/documents
  curl -H 'Authorization: Bearer ${stack?.key}' -H 'content-type: application/json' \\
       -d '{"collection":"handbooks","query":"parental leave"}' ${stack?.base}/v1/search
Ctrl-C stops everything.`);
