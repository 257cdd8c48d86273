// A fault-injecting proxy in front of the real apiserver. Clients talk plain HTTP to it on
// loopback; it forwards over TLS with the admin client certificate, streams responses (watches
// included), and on request answers with injected errors, cuts watches or expires them (410).
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';

export interface Fault {
  match: (req: IncomingMessage) => boolean;
  status: number;
  /** How many matching requests to fail; Infinity until cleared. */
  times: number;
  /** Fail only this share of matching requests. */
  probability?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  watch: boolean;
  at: number;
  status?: number;
}

export class FaultProxy {
  readonly requests: RequestRecord[] = [];
  private faults: Fault[] = [];
  private watches = new Set<ServerResponse>();
  private expireWatches = 0;
  private server: Server | undefined;
  private readonly upstream: URL;
  private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer };

  constructor(kubeconfigPath: string) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const cluster = kc.getCurrentCluster()!;
    const user = kc.getCurrentUser()!;
    this.upstream = new URL(cluster.server);
    this.tls = { ca: readFileSync(cluster.caFile!), cert: readFileSync(user.certFile!), key: readFileSync(user.keyFile!) };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as { port: number }).port;
    const path = join(tmpdir(), `sluice-proxy-${port}.kubeconfig`);
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        // client-node refuses plain HTTP unless TLS verification is off; it is loopback only.
        clusters: [{ name: 'proxy', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'proxy', user: {} }],
        contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'proxy' } }],
        'current-context': 'proxy',
      }),
    );
    return path;
  }

  async stop(): Promise<void> {
    this.cutWatches();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Drops every open watch connection mid-stream. */
  cutWatches(): number {
    const n = this.watches.size;
    for (const w of this.watches) w.destroy();
    this.watches.clear();
    return n;
  }

  /** The next `n` watch requests get a 410 Gone ERROR event, as when etcd compacted past them. */
  expireNextWatches(n: number): void {
    this.expireWatches += n;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const record: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, watch, at: Date.now() };
    this.requests.push(record);
    res.once('finish', () => (record.status = res.statusCode));

    if (watch && this.expireWatches > 0) {
      this.expireWatches--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 } })}\n`);
      return;
    }
    const fault = this.faults.find((f) => f.times > 0 && f.match(req) && (f.probability === undefined || Math.random() < f.probability));
    if (fault) {
      fault.times--;
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `injected ${fault.status}`, reason: fault.status === 409 ? 'Conflict' : 'InternalError', code: fault.status }));
      return;
    }
    const up = httpsRequest(
      { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: this.upstream.host }, ...this.tls },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        // Node holds headers back until the first body write; a quiet watch would hang.
        res.flushHeaders();
        if (watch) {
          this.watches.add(res);
          res.once('close', () => this.watches.delete(res));
        }
        upRes.pipe(res);
        res.once('close', () => upRes.destroy());
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  }
}
