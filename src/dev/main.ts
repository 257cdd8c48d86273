// `npm start`: a local Sluice on this machine. Brings up a real control plane, installs the
// CRDs and applies the examples, then stays up until Ctrl-C.
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from './control-plane.ts';
import { installCrds } from './install-crds.ts';
import { run } from './run.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cp = await startControlPlane();
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the local control plane');
  await cp.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

try {
  await installCrds(cp);
  const applied = await run(cp.binaries.kubectl, ['apply', '-k', `${repo}examples`], { env: cp.kubectlEnv });
  process.stdout.write(applied.stdout);
  const shown = await run(cp.binaries.kubectl, ['get', 'sluice'], { env: cp.kubectlEnv });
  process.stdout.write(`\n${shown.stdout}`);
} catch (e) {
  console.error(e);
  await shutdown();
}

mkdirSync(`${repo}.sluice`, { recursive: true });
copyFileSync(cp.kubeconfigPath, `${repo}.sluice/kubeconfig`);
console.log(`
Sluice is up. In another shell:
  export KUBECONFIG=${repo}.sluice/kubeconfig
  alias kubectl=${cp.binaries.kubectl}
  kubectl get ic,ij
  kubectl explain ingestionjob.spec
Ctrl-C stops everything.`);
