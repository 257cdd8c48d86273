// `sluice controller`: runs the operator against the given kubeconfig or in-cluster config.
import { KubeConfig } from '@kubernetes/client-node';
import { jsonLogger } from './log.ts';
import { Manager } from './manager.ts';

export async function runController(argv: string[] = process.argv.slice(3)): Promise<Manager> {
  const arg = (name: string) => {
    const hit = argv.find((a) => a.startsWith(`--${name}=`));
    return hit?.slice(name.length + 3);
  };
  const log = jsonLogger('controller');
  const kc = new KubeConfig();
  const kubeconfig = arg('kubeconfig') ?? process.env.KUBECONFIG;
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromCluster();
  const leaderElect = (arg('leader-elect') ?? process.env.SLUICE_LEADER_ELECT ?? 'true') !== 'false';
  const namespace = arg('leader-election-namespace') ?? process.env.POD_NAMESPACE ?? 'sluice-system';
  const manager = new Manager({
    kc,
    log,
    image: arg('image') ?? process.env.SLUICE_IMAGE,
    ...((arg('namespace') ?? process.env.SLUICE_WATCH_NAMESPACE) ? { namespace: arg('namespace') ?? process.env.SLUICE_WATCH_NAMESPACE } : {}),
    httpPort: Number(arg('http-port') ?? process.env.SLUICE_HTTP_PORT ?? 8081),
    leaderElection: leaderElect ? { namespace, ...(process.env.POD_NAME ? { identity: process.env.POD_NAME } : {}) } : false,
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    manager.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A controller must outlive transient faults: log, never exit, on a stray rejection.
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { error: err instanceof Error ? err.stack : String(err) }));
  await manager.start();
  log.info('controller started', { httpPort: manager.httpPort, leaderElection: leaderElect });
  return manager;
}

if (import.meta.main) await runController(process.argv.slice(2));
