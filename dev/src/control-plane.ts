// A real etcd + kube-apiserver + kube-controller-manager on loopback, like controller-runtime's
// envtest plus the controller manager (garbage collection, Deployments, namespaces).
import type { ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries, type Binaries } from './binaries.ts';
import { freePort, GiveUp, waitFor } from './net.ts';
import { SERVICE_CIDR } from './node/config.ts';
import { createPki, kubeconfig, type Pki } from './pki.ts';
import { exited, logTail, spawnGroup, stopGroup } from './process-group.ts';
import { prepareNode, type PreparedNode, type RunningNode } from './node/node.ts';

export interface ControlPlane {
  server: string;
  kubeconfigPath: string;
  dir: string;
  binaries: Binaries;
  /** Environment under which the built kubectl talks to this control plane. */
  kubectlEnv: NodeJS.ProcessEnv;
  /** With `node: true`: the one-machine node (node/). */
  node?: RunningNode;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  controllerManager?: boolean;
  /**
   * Also run a real node (containerd, kubelet, kube-proxy, kube-scheduler, CoreDNS) so that pods
   * run; Services then come from 198.19.0.0/16 and pods from 198.18.0.0/16. Needs the
   * controller manager. Root only; one node per machine (a second waits).
   */
  node?: boolean;
  /** Keep the work directory after stop (logs) for debugging. */
  keepDir?: boolean;
  log?: (s: string) => void;
}

type Tls = { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean };

function probe(url: string, tls?: Tls): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const cb = (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    };
    const req = tls ? httpsGet(url, { ...tls, timeout: 2000 }, cb) : httpGet(url, { timeout: 2000 }, cb);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function waitReady(what: string, child: ChildProcess, logFile: string, check: () => Promise<boolean>, timeoutMs: number) {
  try {
    await waitFor(what, async () => {
      if (exited(child)) throw new GiveUp(`${what} exited (${child.exitCode ?? child.signalCode})`);
      return check();
    }, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- ${logFile}\n${logTail(logFile)}`, { cause: e });
  }
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = opts.log ?? ((s: string) => console.error(`[control-plane] ${s}`));
  const started = Date.now();
  const binaries = await ensureBinaries({ log });
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cp-'));
  const children: ChildProcess[] = [];
  let node: PreparedNode | undefined;
  const stop = async () => {
    await node?.stop();
    for (const c of children.reverse()) await stopGroup(c);
    if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    mkdirSync(join(dir, 'pki'));
    const pki: Pki = await createPki(join(dir, 'pki'));
    if (opts.node) node = await prepareNode(pki, join(dir, 'pki'), join(dir, 'node'), log);
    const [etcdClient, etcdPeer, freeApiPort, kcmPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const apiPort = node?.apiserverPort ?? freeApiPort;

    const etcdLog = join(dir, 'etcd.log');
    const etcd = spawnGroup(binaries.etcd, [
      '--name=sluice',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=sluice=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ], etcdLog);
    children.push(etcd);
    await waitReady('etcd', etcd, etcdLog, async () => {
      const r = await probe(`http://127.0.0.1:${etcdClient}/health`);
      return r.status === 200 && r.body.includes('"health":"true"');
    }, 30_000);

    const server = `https://127.0.0.1:${apiPort}`;
    const apiLog = join(dir, 'kube-apiserver.log');
    const apiserver = spawnGroup(binaries.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'pki')}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      // The range reserved for testing, as the node's (a node adds its own flags after these).
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--authorization-mode=RBAC',
      '--allow-privileged=true',
      '--endpoint-reconciler-type=none',
      '--v=1',
      ...(node?.apiserverArgs ?? []),
    ], apiLog);
    children.push(apiserver);
    const tls = { ca: readFileSync(pki.caCert), cert: readFileSync(pki.clients.admin.cert), key: readFileSync(pki.clients.admin.key) };
    // Ready when every /readyz check passes and a list is answered from the watch cache (no
    // limit, as an informer lists): /readyz waits for the built-in kinds' caches, but its
    // storage-readiness hook stops waiting after a timeout, and the cache answers 429 "storage is
    // (re)initializing" until filled. (A CRD's cache is built later: see install-crds.ts.)
    await waitReady('kube-apiserver', apiserver, apiLog, async () => {
      if ((await probe(`${server}/readyz`, tls)).status !== 200) return false;
      return (await probe(`${server}/api/v1/namespaces`, tls)).status === 200;
    }, 60_000);

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig(server, pki.caCert, pki.clients.admin, 'sluice-admin'));

    if (opts.controllerManager !== false) {
      const kcmConfig = join(dir, 'controller-manager.kubeconfig');
      writeFileSync(kcmConfig, kubeconfig(server, pki.caCert, pki.clients.controllerManager, 'system:kube-controller-manager'));
      const kcmLog = join(dir, 'kube-controller-manager.log');
      const kcm = spawnGroup(binaries.kubeControllerManager, [
        `--kubeconfig=${kcmConfig}`,
        `--authentication-kubeconfig=${kcmConfig}`,
        `--authorization-kubeconfig=${kcmConfig}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        `--cert-dir=${join(dir, 'kcm-certs')}`,
        `--service-account-private-key-file=${pki.saKey}`,
        `--root-ca-file=${pki.caCert}`,
        '--use-service-account-credentials=false',
        // Fast GC and namespace cleanup matter more in tests than the defaults' batching.
        '--concurrent-gc-syncs=10',
        '--v=1',
        ...(node?.controllerManagerArgs ?? []),
      ], kcmLog);
      children.push(kcm);
      await waitReady('kube-controller-manager', kcm, kcmLog, async () => {
        // It serves a self-signed certificate of its own; /healthz is all we read from it.
        const r = await probe(`https://127.0.0.1:${kcmPort}/healthz`, { rejectUnauthorized: false });
        return r.status === 200;
      }, 60_000);
    }
    const running = await node?.start({ server, kubectl: binaries.kubectl, kubeconfigPath });
    log(`ready at ${server} in ${((Date.now() - started) / 1000).toFixed(1)}s (dir ${dir})`);
    return { server, kubeconfigPath, dir, binaries, kubectlEnv: { ...process.env, KUBECONFIG: kubeconfigPath }, node: running, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
