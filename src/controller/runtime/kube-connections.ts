// client-node (2.x) builds a new undici Agent for every request (KubeConfig's private
// createDispatcher, called from applySecurityAuthentication), so no connection is ever reused:
// each request opens a TCP connection and, against a real apiserver, makes a TLS handshake with
// a SecureContext of its own, and each Agent and its idle socket stay until they time out. Under
// the burst of 100 clusters created at once that is thousands of connections, CPU on both ends
// and native memory the process never returns. One Agent per distinct set of options instead.
import type { KubeConfig } from '@kubernetes/client-node';

type CreateDispatcher = (cluster: unknown, agentOptions: Record<string, unknown>) => unknown;

/** Makes every client of `kc` share one connection pool per apiserver and TLS settings. */
export function reuseConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as { createDispatcher?: CreateDispatcher };
  const create = target.createDispatcher;
  if (typeof create !== 'function') throw new Error('@kubernetes/client-node: KubeConfig.createDispatcher is gone; remove or adapt reuseConnections');
  let current: { key: string; agent: unknown } | undefined;
  target.createDispatcher = (cluster, agentOptions) => {
    const c = cluster as { server?: string; proxyUrl?: string } | null;
    // Certificates and keys are part of the key: rotated files get a new pool, and the old one
    // is closed once its requests (watches included) have finished.
    const key = JSON.stringify([c?.server, c?.proxyUrl, agentOptions]);
    if (current?.key !== key) {
      void (current?.agent as { close?: () => Promise<void> } | undefined)?.close?.().catch(() => {});
      current = { key, agent: create.call(kc, cluster, agentOptions) };
    }
    return current.agent;
  };
  return kc;
}
