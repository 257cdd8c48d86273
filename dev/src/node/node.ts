// A real one-machine node for the local control plane: containerd + runc, the kubelet, kube-proxy
// (nftables), kube-scheduler, the bridge CNI, CoreDNS, and kube-router enforcing NetworkPolicies.
// Pods get 198.18.0.0/24 addresses and Services 198.19.0.0/16; all traffic stays on this machine.
//
// Two steps, because the control plane needs some of it before it starts: `prepareNode` builds
// the binaries, takes the machine's node lock, cleans a crashed run's leftovers and returns the
// apiserver and controller-manager flags; `start` runs the node once the control plane is up.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, GiveUp, waitFor } from '../net.ts';
import { kubeconfig, type Pki } from '../pki.ts';
import { exited, logTail, spawnGroup, stopGroup } from '../process-group.ts';
import { run } from '../run.ts';
import {
  APISERVER_PORT,
  cniConflist,
  containerdConfig,
  KUBERNETES_SERVICE_IP,
  kubeletConfig,
  kubeProxyConfig,
  NODE_NAME,
  POD_CIDR,
  SERVICE_CIDR,
} from './config.ts';
import { clusterDnsAnswers, corednsManifests } from './coredns.ts';
import { acquireNodeLock, cleanHost, hostLeftovers, killAndWait, NODE_DIR, NODE_RUN_DIR, processesRunning, releaseNodeLock, runEveryStep } from './host.ts';
import { killPodProcesses } from './host-cgroups.ts';
import { addVoidRoute } from './host-network.ts';
import { importImages, nodeImages, PAUSE_IMAGE } from './images.ts';
import { KUBE_ROUTER_USER, kubeRouterArgs, kubeRouterRbac } from './kube-router.ts';
import { ensureNodeBinaries, type NodeBinaries } from './node-binaries.ts';
import { apiserverServingCert, clientCert } from './node-pki.ts';
import type { ImageSpec } from './oci-image.ts';

type Log = (s: string) => void;

export interface RunningNode {
  name: string;
  ip: string;
  /** The node's share of POD_CIDR, as the controller manager allocated it. */
  podCidr: string;
  binaries: NodeBinaries;
  /** containerd's socket, for `ctr --address`. */
  containerdSocket: string;
  /** Imports more one-layer images (see oci-image.ts) into the node's containerd. */
  importImages(images: ImageSpec[]): Promise<void>;
}

export interface PreparedNode {
  ip: string;
  /** The apiserver's port: pods reach it through the `kubernetes` Service, and NetworkPolicies admit it by port. */
  apiserverPort: number;
  apiserverArgs: string[];
  controllerManagerArgs: string[];
  /** Starts the node against the ready control plane; resolves once the Node is Ready and CoreDNS answers. */
  start(cp: { server: string; kubectl: string; kubeconfigPath: string }): Promise<RunningNode>;
  /** Stops whatever started and removes the host state; safe to call at any step. */
  stop(): Promise<void>;
}

/** The IPv4 address of the interface holding the default route (read from the routing table; nothing is sent). */
export async function detectNodeIp(): Promise<string> {
  if (process.env.SLUICE_NODE_IP) return process.env.SLUICE_NODE_IP;
  const routes = JSON.parse((await run('ip', ['-j', '-4', 'route', 'show', 'default'])).stdout) as { dev?: string }[];
  const dev = routes[0]?.dev;
  if (!dev) throw new Error('no default route to take the node IP from; set SLUICE_NODE_IP');
  const links = JSON.parse((await run('ip', ['-j', '-4', 'addr', 'show', 'dev', dev])).stdout) as { addr_info: { local: string; scope: string }[] }[];
  const ip = links[0]?.addr_info.find((a) => a.scope === 'global')?.local;
  if (!ip) throw new Error(`no global IPv4 address on ${dev}; set SLUICE_NODE_IP`);
  return ip;
}

/** The node's long-running binaries: a process running one of them after a stop is a leftover. */
export const nodeDaemons = (b: NodeBinaries): string[] => [b.kubelet, b.kubeProxy, b.kubeScheduler, b.kubeRouter, b.containerd, b.containerdShim];

export async function prepareNode(pki: Pki, pkiDir: string, logDir: string, log: Log): Promise<PreparedNode> {
  const t0 = Date.now();
  const b = await ensureNodeBinaries({ log });
  const daemons = nodeDaemons(b);
  await acquireNodeLock(log);
  const children: { name: string; child: ChildProcess; log: string }[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const containerd = children.find((c) => c.name === 'containerd');
    const failures = await runEveryStep([
      ...children.filter((c) => c !== containerd).reverse().map((c) => [`stop ${c.name}`, () => stopGroup(c.child)] as const),
      // The kubelet leaves its pods running; their processes and runc shims go before containerd.
      ['kill pod processes', () => killPodProcesses()],
      ['kill shims', () => killAndWait(processesRunning([b.containerdShim]))],
      ['stop containerd', () => containerd && stopGroup(containerd.child)],
      // A shim that was starting while we looked; cleanHost would report it as a crashed run's.
      ['kill late daemons', () => killAndWait(processesRunning(daemons))],
      ['clean the host', () => cleanHost(daemons, log)],
    ]);
    for (const f of failures) log(`stopping the node: ${f}`);
    const left = await hostLeftovers(daemons).catch((err: unknown) => [`(not checked: ${String(err)})`]);
    if (left.length) log(`the node left on this host: ${left.join(', ')}`);
    releaseNodeLock();
  };
  try {
    await cleanHost(daemons, log);
    await addVoidRoute();
    const ip = await detectNodeIp();
    const serving = await apiserverServingCert(pki, pkiDir, [ip, KUBERNETES_SERVICE_IP]);
    // Later flags win over the node-less control plane's earlier ones.
    const apiserverArgs = [
      // Pods reach the apiserver at the node IP through the `kubernetes` Service.
      '--bind-address=0.0.0.0',
      `--advertise-address=${ip}`,
      '--endpoint-reconciler-type=lease',
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
      // `kubectl logs/exec` reach the kubelet at its InternalIP, authenticated as the admin.
      '--kubelet-preferred-address-types=InternalIP,Hostname',
      `--kubelet-client-certificate=${pki.clients.admin.cert}`,
      `--kubelet-client-key=${pki.clients.admin.key}`,
    ];
    const controllerManagerArgs = ['--allocate-node-cidrs=true', `--cluster-cidr=${POD_CIDR}`, '--node-cidr-mask-size=24', `--service-cluster-ip-range=${SERVICE_CIDR}`];
    log(`node prepared (binaries, lock, clean host) in ${((Date.now() - t0) / 1000).toFixed(1)}s; node IP ${ip}`);
    const daemonsAlive = () => {
      for (const c of children) if (exited(c.child)) throw new GiveUp(`${c.name} exited (${c.child.exitCode ?? c.child.signalCode})\n--- ${c.log}\n${logTail(c.log)}`);
    };
    const start = async (cp: { server: string; kubectl: string; kubeconfigPath: string }) => {
      try {
        return await startNode({ cp, pki, ip, b, logDir, log, children, daemonsAlive });
      } catch (e) {
        // A timeout names what it waited for; the kubelet's log usually says why.
        const kubelet = children.find((c) => c.name === 'kubelet');
        throw new Error(`${(e as Error).message}${kubelet ? `\n--- ${kubelet.log}\n${logTail(kubelet.log)}` : ''}`, { cause: e });
      }
    };
    return { ip, apiserverPort: APISERVER_PORT, apiserverArgs, controllerManagerArgs, start, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

interface StartParams {
  cp: { server: string; kubectl: string; kubeconfigPath: string };
  pki: Pki;
  ip: string;
  b: NodeBinaries;
  logDir: string;
  log: Log;
  children: { name: string; child: ChildProcess; log: string }[];
  daemonsAlive: () => void;
}

async function startNode({ cp, pki, ip, b, logDir, log, children, daemonsAlive }: StartParams): Promise<RunningNode> {
  const t0 = Date.now();
  const dirs = {
    pki: join(NODE_DIR, 'pki'),
    config: join(NODE_DIR, 'config'),
    containerd: join(NODE_DIR, 'containerd'),
    kubelet: join(NODE_DIR, 'kubelet'),
    kubeletPki: join(NODE_DIR, 'kubelet-pki'),
    podLogs: join(NODE_DIR, 'pod-logs'),
    cniConf: join(NODE_DIR, 'cni', 'net.d'),
    cniData: join(NODE_DIR, 'cni', 'ipam'),
    images: join(NODE_DIR, 'images'),
    schedulerCerts: join(NODE_DIR, 'scheduler-certs'),
    containerdState: join(NODE_RUN_DIR, 'containerd'),
    runc: join(NODE_RUN_DIR, 'runc'),
  };
  for (const d of [...Object.values(dirs), logDir]) mkdirSync(d, { recursive: true });
  const socket = join(NODE_RUN_DIR, 'containerd.sock');
  const kubectl = (args: string[], input?: string) => run(cp.kubectl, ['--kubeconfig', cp.kubeconfigPath, ...args], { input });
  // containerd finds its shim on PATH; the kubelet and kube-proxy run iptables and nft from it.
  const env = { ...process.env, PATH: `${join(b.containerdShim, '..')}:/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin` };
  const spawn = (name: string, cmd: string, args: string[]) => {
    const logFile = join(logDir, `${name}.log`);
    children.push({ name, child: spawnGroup(cmd, args, logFile, env), log: logFile });
  };
  const wait = (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) =>
    waitFor(what, async () => {
      daemonsAlive();
      return check();
    }, timeoutMs, 250);

  const [kubeletCert, proxyCert, schedulerCert, routerCert] = await Promise.all([
    clientCert(pki, dirs.pki, 'kubelet', `system:node:${NODE_NAME}`, 'system:nodes'),
    clientCert(pki, dirs.pki, 'kube-proxy', 'system:kube-proxy'),
    clientCert(pki, dirs.pki, 'kube-scheduler', 'system:kube-scheduler'),
    clientCert(pki, dirs.pki, 'kube-router', KUBE_ROUTER_USER),
  ]);
  const kubeconfigs = {
    kubelet: join(dirs.config, 'kubelet.kubeconfig'),
    proxy: join(dirs.config, 'kube-proxy.kubeconfig'),
    scheduler: join(dirs.config, 'kube-scheduler.kubeconfig'),
    router: join(dirs.config, 'kube-router.kubeconfig'),
  };
  writeFileSync(kubeconfigs.kubelet, kubeconfig(cp.server, pki.caCert, kubeletCert, `system:node:${NODE_NAME}`));
  writeFileSync(kubeconfigs.proxy, kubeconfig(cp.server, pki.caCert, proxyCert, 'system:kube-proxy'));
  writeFileSync(kubeconfigs.scheduler, kubeconfig(cp.server, pki.caCert, schedulerCert, 'system:kube-scheduler'));
  writeFileSync(kubeconfigs.router, kubeconfig(cp.server, pki.caCert, routerCert, KUBE_ROUTER_USER));
  // The control plane authorizes with RBAC alone; the built-in system:node role is what the Node
  // authorizer would grant this kubelet.
  await kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'sluice:node' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `system:node:${NODE_NAME}` }],
  }));
  await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: kubeRouterRbac() }));

  const containerdToml = join(dirs.config, 'containerd.toml');
  writeFileSync(containerdToml, containerdConfig({
    root: dirs.containerd,
    state: dirs.containerdState,
    socket,
    runcRoot: dirs.runc,
    runc: b.runc,
    cniBinDir: b.cniBinDir,
    cniConfDir: dirs.cniConf,
    sandboxImage: PAUSE_IMAGE,
  }));
  spawn('containerd', b.containerd, ['--config', containerdToml, '--log-level', 'warn']);
  await wait('containerd', async () => {
    await run(b.ctr, ['--address', socket, 'version']);
    return true;
  });
  const ctr = { ctr: b.ctr, socket };
  await importImages(ctr, nodeImages(b), dirs.images);

  const [schedulerPort, kubeletHealthz, proxyHealthz, proxyMetrics, routerHealth] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  spawn('kube-scheduler', b.kubeScheduler, [
    `--kubeconfig=${kubeconfigs.scheduler}`,
    `--authentication-kubeconfig=${kubeconfigs.scheduler}`,
    `--authorization-kubeconfig=${kubeconfigs.scheduler}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${schedulerPort}`,
    `--cert-dir=${dirs.schedulerCerts}`,
    '--v=1',
  ]);

  const kubeletYaml = join(dirs.config, 'kubelet.json');
  writeFileSync(kubeletYaml, JSON.stringify(kubeletConfig({ caCert: pki.caCert, containerdSocket: socket, podLogsDir: dirs.podLogs, nodeIp: ip, healthzPort: kubeletHealthz, port: 10250 })));
  spawn('kubelet', b.kubelet, [
    `--config=${kubeletYaml}`,
    `--kubeconfig=${kubeconfigs.kubelet}`,
    `--root-dir=${dirs.kubelet}`,
    `--cert-dir=${dirs.kubeletPki}`,
    `--node-ip=${ip}`,
    `--hostname-override=${NODE_NAME}`,
    '--v=1',
  ]);
  const proxyYaml = join(dirs.config, 'kube-proxy.json');
  writeFileSync(proxyYaml, JSON.stringify(kubeProxyConfig({ kubeconfig: kubeconfigs.proxy, healthzPort: proxyHealthz, metricsPort: proxyMetrics })));
  spawn('kube-proxy', b.kubeProxy, [`--config=${proxyYaml}`, '--v=1']);

  // The controller manager gives the Node its pod range; the CNI configuration follows from it.
  let podCidr = '';
  await wait(`Node ${NODE_NAME} to get a pod CIDR`, async () => {
    const { stdout } = await kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.spec.podCIDR}']).catch(() => ({ stdout: '' }));
    podCidr = stdout.trim();
    return podCidr !== '';
  });
  // Once the Node exists (kube-router exits without it), and before the CNI configuration lets any
  // pod have a network: a pod that ran unpoliced for a moment would prove nothing about policies.
  spawn('kube-router', b.kubeRouter, kubeRouterArgs({ kubeconfig: kubeconfigs.router, healthPort: routerHealth }));
  writeFileSync(join(dirs.cniConf, '10-sluice.conflist'), JSON.stringify(cniConflist(podCidr, ip, dirs.cniData), null, 2));
  await wait(`Node ${NODE_NAME} to be Ready`, async () => {
    const { stdout } = await kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    return stdout.trim() === 'True';
  });
  await wait('kube-router to enforce NetworkPolicies', async () => {
    const res = await fetch(`http://127.0.0.1:${routerHealth}/healthz`).catch(() => undefined);
    return res?.status === 200;
  });
  log(`node ${NODE_NAME} Ready (pods ${podCidr}) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

  await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: corednsManifests() }));
  await wait('CoreDNS to answer on its ClusterIP', () => clusterDnsAnswers().catch(() => false), 120_000);
  log(`CoreDNS answering; node up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

  return {
    name: NODE_NAME,
    ip,
    podCidr,
    binaries: b,
    containerdSocket: socket,
    importImages: (images) => importImages(ctr, images, dirs.images),
  };
}
