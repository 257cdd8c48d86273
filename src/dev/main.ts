// `npm start`: a local Sluice on this machine. Brings up a real control plane with the CRDs and
// the operator, applies the examples, runs the data plane as local processes and ingests the
// example PDF through it, then stays up until Ctrl-C.
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { Manager } from '../controller/manager.ts';
import { createLogger } from '../shared/logger.ts';
import { startControlPlane } from './control-plane.ts';
import { ingestAndSearch } from './demo.ts';
import { startLocalStack, type LocalStack } from './local-stack.ts';
import { installCrds } from './install-crds.ts';
import { run } from './run.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cp = await startControlPlane();
let manager: Manager | undefined;
let stack: LocalStack | undefined;
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the data plane, the operator and the local control plane');
  await manager?.stop();
  await stack?.stop();
  await cp.stop();
  process.exit(code);
};
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  await installCrds(cp);
  // The operator, in this process, as `sluice controller` would run it in a cluster.
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  manager = new Manager({ kc, log: createLogger({ component: 'controller' }), httpPort: 0, httpHost: '127.0.0.1', leaderElection: false });
  await manager.start();
  const applied = await run(cp.binaries.kubectl, ['apply', '-k', `${repo}examples`], { env: cp.kubectlEnv });
  process.stdout.write(applied.stdout);
  // The operator has applied the children once it has written a status.
  await run(cp.binaries.kubectl, ['wait', '--for=condition=Degraded=false', '--timeout=60s', 'ic/docs'], { env: cp.kubectlEnv });
  const shown = await run(cp.binaries.kubectl, ['get', 'sluice,deployments,statefulsets,services'], { env: cp.kubectlEnv });
  process.stdout.write(`\n${shown.stdout}`);

  // The data plane, as local processes on this machine's Redis and PostgreSQL (the pods above
  // would run the same code): Chroma, the API and one worker.
  // Small chunks, so a search over the three-page example points at one page.
  stack = await startLocalStack({ SLUICE_LOG_LEVEL: 'warn', SLUICE_CHUNK_SIZE: '200', SLUICE_CHUNK_OVERLAP: '20' });
  stack.spawnWorker();
  console.log(`\nThe data plane: API ${stack.base}, Chroma ${stack.env.SLUICE_CHROMA_URL}`);
  await ingestAndSearch(stack.base, stack.key, `${repo}examples`, 'handbooks', 'how much does a hotel night cost', (l) => console.log(`  ${l}`));
} catch (e) {
  console.error(e);
  await shutdown(1);
}

mkdirSync(`${repo}.sluice`, { recursive: true });
copyFileSync(cp.kubeconfigPath, `${repo}.sluice/kubeconfig`);
console.log(`
Sluice is up. In another shell:
  export KUBECONFIG=${repo}.sluice/kubeconfig
  alias kubectl=${cp.binaries.kubectl}
  kubectl get ic,ij
  kubectl describe ic docs
  kubectl explain ingestionjob.spec
The operator's metrics: http://127.0.0.1:${manager?.httpPort}/metrics
(This control plane has no nodes, so the pods it creates stay Pending; the data plane runs
as local processes instead.) Try the API:
  curl -H 'Authorization: Bearer ${stack?.key}' ${stack?.base}/v1/documents?collection=handbooks
  curl -H 'Authorization: Bearer ${stack?.key}' -F collection=handbooks -F file=@some.pdf ${stack?.base}/v1/documents
  curl -H 'Authorization: Bearer ${stack?.key}' -H 'content-type: application/json' \\
       -d '{"collection":"handbooks","query":"lost laptop"}' ${stack?.base}/v1/search
Ctrl-C stops everything.`);
