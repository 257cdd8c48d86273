// client-node's clients share connections once reuseConnections is applied to their KubeConfig:
// counted by a loopback HTTP server standing in for the apiserver.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reuseConnections } from '../../src/controller/runtime/kube-connections.ts';

let server: Server;
let connections = 0;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: req.url?.split('/').pop() } }));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function connectionsFor(kc: KubeConfig): Promise<number> {
  const before = connections;
  const a = kc.makeApiClient(CoreV1Api);
  const b = kc.makeApiClient(CoreV1Api);
  for (let i = 0; i < 10; i++) {
    const ns = await (i % 2 ? a : b).readNamespace({ name: `n${i}` });
    expect(ns.metadata?.name).toBe(`n${i}`);
  }
  return connections - before;
}

describe('reuseConnections', () => {
  it('sends sequential requests of every client of one KubeConfig over the same connections', async () => {
    // Two, not one: undici takes a socket back a tick after the response, when the next awaited
    // request has already asked for one.
    expect(await connectionsFor(reuseConnections(kubeConfig()))).toBeLessThanOrEqual(2);
  });

  it('is needed: without it, client-node opens a connection per request', async () => {
    // When this fails, client-node reuses connections itself and reuseConnections can go.
    expect(await connectionsFor(kubeConfig())).toBe(10);
  });
});
