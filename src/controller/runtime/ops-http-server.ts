// The operator's /healthz (the process is alive), /readyz (every informer is watching) and /metrics.
import type { Registry } from 'prom-client';
import { metricsRoute, startOpsServer, type OpsServer } from '../../shared/ops-server.ts';

export function startHttpServer(port: number, ready: () => boolean, registry: Registry, host = '0.0.0.0'): Promise<OpsServer> {
  return startOpsServer(
    port,
    {
      '/healthz': async () => ({ status: 200, body: 'ok' }),
      '/readyz': async () => (ready() ? { status: 200, body: 'ok' } : { status: 503, body: 'informers not synced' }),
      '/metrics': metricsRoute(registry),
    },
    host,
  );
}
