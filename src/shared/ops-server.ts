// The operational HTTP listener of the operator, the API and the worker (/metrics, probes),
// apart from the API's keyed port: Prometheus scrapes it without an API key, and the cluster's
// NetworkPolicy decides who may reach it.
import http from 'node:http';
import type { Registry } from 'prom-client';

export interface OpsAnswer {
  status: number;
  body: string;
  contentType?: string;
}

export type OpsRoutes = Record<string, () => Promise<OpsAnswer>>;

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOpsServer(port: number, routes: OpsRoutes, host?: string): Promise<OpsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) return void res.writeHead(404).end();
    route().then(
      (a) => res.writeHead(a.status, { 'content-type': a.contentType ?? 'text/plain; charset=utf-8' }).end(a.body),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  return {
    port: await listen(server, port, host),
    close: () => closeServer(server),
  };
}

/** The /metrics answer of a prom-client registry. */
export function metricsRoute(registry: Registry): () => Promise<OpsAnswer> {
  return async () => ({ status: 200, body: await registry.metrics(), contentType: registry.contentType });
}

/** Stops accepting connections, drops idle keep-alive ones, and resolves when the rest end. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** Listens, or rejects (EADDRINUSE...) instead of leaving an 'error' event nobody hears. */
export function listen(server: http.Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
