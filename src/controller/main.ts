// `sluice controller`: runs the operator against the given kubeconfig or in-cluster config.
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger, errorFields } from '../shared/logger.ts';
import { loadControllerConfig } from './config.ts';
import { reuseConnections } from './runtime/kube-connections.ts';
import { createOperator } from './operator.ts';
import { ownImage } from './runtime/own-image.ts';
import type { Manager } from './runtime/manager.ts';

export async function runController(argv: string[] = process.argv.slice(3)): Promise<Manager> {
  const config = loadControllerConfig(argv);
  const log = createLogger({ component: 'controller' });
  const kc = new KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromCluster();
  reuseConnections(kc);
  // In its pod (POD_NAME set) the operator's own image is the default of its children's.
  const image = config.image ?? (config.identity ? await ownImage(kc, config.leaderElectionNamespace, config.identity) : undefined);
  if (image) log.info('children run image', { image, from: config.image ? 'flag' : 'own pod' });
  const manager = createOperator({
    kc,
    log,
    ...(image ? { image } : {}),
    ...(config.namespaces ? { namespaces: config.namespaces } : {}),
    ...(config.clusterApiUrl ? { clusterApiUrl: config.clusterApiUrl } : {}),
    httpPort: config.httpPort,
    resyncMs: config.resyncSeconds * 1000,
    leaderElection: config.leaderElect ? { namespace: config.leaderElectionNamespace, ...(config.identity ? { identity: config.identity } : {}) } : false,
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    manager.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', errorFields(err));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A controller must outlive transient faults: log, never exit, on a stray rejection.
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { error: err instanceof Error ? err.stack : String(err) }));
  await manager.start();
  log.info('controller started', { httpPort: manager.httpPort, leaderElection: config.leaderElect });
  return manager;
}

if (import.meta.main) await runController(process.argv.slice(2));
