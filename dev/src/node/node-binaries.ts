// Builds what a one-machine Kubernetes node runs, once per version, into the same cache as the
// control plane's binaries: kubelet, kube-scheduler and kube-proxy from the Kubernetes wrapper
// module that binaries.ts made; containerd, its runc shim and ctr, the CNI plugins and CoreDNS
// from wrapper modules of their own (their dependencies differ from Kubernetes'); the pause
// binary from the Kubernetes module's C source; kube-router, the NetworkPolicy enforcer, from its
// own module. runc, nftables, iptables and ipset come from Debian.
// Go builds run under `nice -n 19`: the machine's two cores are shared.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, ensureBinaries, goEnv, KUBERNETES_VERSION, versionLdflags } from '../binaries.ts';
import { run } from '../run.ts';
import { ensureDebianPackages } from './debian.ts';
import { withOwnedLock } from '../lock.ts';

export const CONTAINERD_VERSION = 'v2.3.7';
export const CNI_PLUGINS_VERSION = 'v1.9.1';
export const COREDNS_VERSION = 'v1.15.0';
/**
 * The only version the Go proxy here serves. Advisories name v2.1.0; it runs here with its firewall
 * alone (no BGP, no service proxy, no CNI), on pods whose traffic never leaves this machine.
 */
export const KUBE_ROUTER_VERSION = 'v2.1.0';
/** build/pause/Makefile's TAG in KUBERNETES_VERSION; the sandbox image is tagged with it. */
export const PAUSE_VERSION = '3.10.2';

export interface NodeBinaries {
  kubelet: string;
  kubeScheduler: string;
  kubeProxy: string;
  containerd: string;
  containerdShim: string;
  ctr: string;
  /** The directory holding bridge, host-local, loopback and portmap. */
  cniBinDir: string;
  coredns: string;
  /** Enforces NetworkPolicies (its firewall only: iptables and ipset). */
  kubeRouter: string;
  pause: string;
  runc: string;
}

export const CNI_PLUGINS = { bridge: 'plugins/main/bridge', 'host-local': 'plugins/ipam/host-local', loopback: 'plugins/main/loopback', portmap: 'plugins/meta/portmap' };

/** Debian packages the node needs on the host: runc runs containers; nft, iptables and ipset program the network. */
export const NODE_PACKAGES = ['runc', 'nftables', 'iptables', 'ipset'];

export function nodeBinaryPaths(root = cacheRoot()): NodeBinaries {
  const k8s = join(root, `kubernetes-${KUBERNETES_VERSION}`, 'bin');
  const containerd = join(root, `containerd-${CONTAINERD_VERSION}`, 'bin');
  return {
    kubelet: join(k8s, 'kubelet'),
    kubeScheduler: join(k8s, 'kube-scheduler'),
    kubeProxy: join(k8s, 'kube-proxy'),
    containerd: join(containerd, 'containerd'),
    containerdShim: join(containerd, 'containerd-shim-runc-v2'),
    ctr: join(containerd, 'ctr'),
    cniBinDir: join(root, `cni-plugins-${CNI_PLUGINS_VERSION}`, 'bin'),
    coredns: join(root, `coredns-${COREDNS_VERSION}`, 'bin', 'coredns'),
    kubeRouter: join(root, `kube-router-${KUBE_ROUTER_VERSION}`, 'bin', 'kube-router'),
    pause: join(root, `pause-${PAUSE_VERSION}-k8s-${KUBERNETES_VERSION}`, 'bin', 'pause'),
    runc: '/usr/sbin/runc',
  };
}

type Log = (s: string) => void;

const secs = (t: number) => `${Math.round((Date.now() - t) / 1000)}s`;

/**
 * `go` at the lowest CPU priority, in a wrapper module directory. bash's `times` reports the CPU
 * it and its children used: on a shared machine wall time says little about a build's cost.
 */
async function go(args: string[], cwd: string, env: NodeJS.ProcessEnv = goEnv()): Promise<{ stdout: string; cpuSeconds: number }> {
  const script = 'nice -n 19 go "$@"; rc=$?; times >&2; exit $rc';
  const { stdout, stderr } = await run('bash', ['-c', script, 'go', ...args], { cwd, env });
  // The last line of `times` is the children's "user system", e.g. "1m2.345s 0m5.000s".
  const children = stderr.trim().split('\n').at(-1) ?? '';
  const cpuSeconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
  return { stdout, cpuSeconds };
}

/** Builds each `pkg` into `bin/name` one at a time (links are memory-hungry), renaming into place. */
async function goBuild(work: string, bin: string, targets: Record<string, string>, extra: string[], log: Log, what: string, env?: NodeJS.ProcessEnv) {
  mkdirSync(bin, { recursive: true });
  for (const [name, pkg] of Object.entries(targets)) {
    const t = Date.now();
    const { cpuSeconds } = await go(['build', '-trimpath', ...extra, '-o', join(bin, `${name}.tmp`), pkg], work, env);
    renameSync(join(bin, `${name}.tmp`), join(bin, name));
    log(`built ${name} ${what} in ${secs(t)} (${Math.round(cpuSeconds)} CPU-s)`);
  }
}

function wrapperModule(dir: string, name: string): string {
  const work = join(dir, 'module');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'go.mod'), `module sluice.local/${name}\n\ngo 1.26\n`);
  return work;
}

async function buildKubernetesNode(root: string, paths: NodeBinaries, log: Log) {
  // binaries.ts left a wrapper module requiring k8s.io/kubernetes with every staging module
  // replaced; these commands are in the same module and share its compiled packages.
  const work = join(root, `kubernetes-${KUBERNETES_VERSION}`, 'module');
  const commands = { kubelet: paths.kubelet, 'kube-scheduler': paths.kubeScheduler, 'kube-proxy': paths.kubeProxy };
  const missing = Object.keys(commands).filter((c) => !existsSync(commands[c as keyof typeof commands]));
  await go(['get', ...missing.map((c) => `k8s.io/kubernetes/cmd/${c}@${KUBERNETES_VERSION}`)], work);
  const targets = Object.fromEntries(missing.map((c) => [c, `k8s.io/kubernetes/cmd/${c}`]));
  await goBuild(work, join(root, `kubernetes-${KUBERNETES_VERSION}`, 'bin'), targets, ['-ldflags', versionLdflags(KUBERNETES_VERSION)], log, KUBERNETES_VERSION);
}

async function buildContainerd(root: string, log: Log) {
  const dir = join(root, `containerd-${CONTAINERD_VERSION}`);
  const work = wrapperModule(dir, 'containerd');
  const mod = 'github.com/containerd/containerd/v2';
  await go(['get', `${mod}@${CONTAINERD_VERSION}`], work);
  const ldflags = `-s -w -X ${mod}/version.Version=${CONTAINERD_VERSION} -X ${mod}/version.Revision=${CONTAINERD_VERSION} -X ${mod}/version.Package=github.com/containerd/containerd/v2`;
  const tags = 'no_btrfs no_devmapper no_zfs osusergo netgo static_build';
  const targets = { containerd: `${mod}/cmd/containerd`, 'containerd-shim-runc-v2': `${mod}/cmd/containerd-shim-runc-v2`, ctr: `${mod}/cmd/ctr` };
  await goBuild(work, join(dir, 'bin'), targets, ['-tags', tags, '-ldflags', ldflags], log, CONTAINERD_VERSION);
}

async function buildCniPlugins(root: string, log: Log) {
  const dir = join(root, `cni-plugins-${CNI_PLUGINS_VERSION}`);
  const work = wrapperModule(dir, 'cni-plugins');
  const mod = 'github.com/containernetworking/plugins';
  await go(['get', `${mod}@${CNI_PLUGINS_VERSION}`], work);
  const ldflags = `-s -w -X ${mod}/pkg/utils/buildversion.BuildVersion=${CNI_PLUGINS_VERSION}`;
  const targets = Object.fromEntries(Object.entries(CNI_PLUGINS).map(([name, pkg]) => [name, `${mod}/${pkg}`]));
  await goBuild(work, join(dir, 'bin'), targets, ['-ldflags', ldflags], log, CNI_PLUGINS_VERSION);
}

async function buildCoredns(root: string, log: Log) {
  const dir = join(root, `coredns-${COREDNS_VERSION}`);
  const work = wrapperModule(dir, 'coredns');
  const mod = 'github.com/coredns/coredns';
  await go(['get', `${mod}@${COREDNS_VERSION}`], work);
  const ldflags = `-s -w -X ${mod}/coremain.GitCommit=${COREDNS_VERSION}`;
  await goBuild(work, join(dir, 'bin'), { coredns: mod }, ['-ldflags', ldflags], log, COREDNS_VERSION);
}

async function buildKubeRouter(root: string, log: Log) {
  const dir = join(root, `kube-router-${KUBE_ROUTER_VERSION}`);
  const work = wrapperModule(dir, 'kube-router');
  const mod = 'github.com/cloudnativelabs/kube-router/v2';
  await go(['get', `${mod}/cmd/kube-router@${KUBE_ROUTER_VERSION}`], work);
  const ldflags = `-s -w -X ${mod}/pkg/version.Version=${KUBE_ROUTER_VERSION}`;
  await goBuild(work, join(dir, 'bin'), { 'kube-router': `${mod}/cmd/kube-router` }, ['-ldflags', ldflags], log, KUBE_ROUTER_VERSION);
}

/** pause.c from the Kubernetes module, as build/pause/Makefile compiles it. */
async function buildPause(root: string, out: string, log: Log) {
  const t = Date.now();
  await ensureDebianPackages(['gcc', 'libc6-dev'], log);
  const work = join(root, `kubernetes-${KUBERNETES_VERSION}`, 'module');
  const { stdout } = await go(['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`], work);
  const src = join((JSON.parse(stdout) as { Dir: string }).Dir, 'build', 'pause', 'linux', 'pause.c');
  mkdirSync(join(out, '..'), { recursive: true });
  await run('gcc', ['-Os', '-Wall', '-Werror', '-static', `-DVERSION=v${PAUSE_VERSION}-${KUBERNETES_VERSION}`, '-o', `${out}.tmp`, src]);
  renameSync(`${out}.tmp`, out);
  log(`built pause ${PAUSE_VERSION} in ${secs(t)}`);
}

/**
 * Builds one cached part under `<dir>.lock` (the lock binaries.ts takes for the same directory)
 * unless every one of `outputs` exists.
 */
async function once(dir: string, outputs: string[], log: Log, build: () => Promise<void>) {
  if (outputs.every((p) => existsSync(p))) return;
  await withOwnedLock(`${dir}.lock`, `another build of ${dir}`, log, async () => {
    if (!outputs.every((p) => existsSync(p))) await build();
  });
}

/** Returns the node's binaries, building whichever are missing and installing missing Debian packages. */
export async function ensureNodeBinaries(opts: { root?: string; log?: Log } = {}): Promise<NodeBinaries> {
  const root = opts.root ?? cacheRoot();
  const log = opts.log ?? ((s: string) => console.error(`[node-binaries] ${s}`));
  const p = nodeBinaryPaths(root);
  await ensureDebianPackages(NODE_PACKAGES, log);
  // Two lanes of niced builds: at nice 19 on a busy machine each gets only a sliver of CPU.
  await Promise.all([
    (async () => {
      await once(join(root, `containerd-${CONTAINERD_VERSION}`), [p.containerd, p.containerdShim, p.ctr], log, () => buildContainerd(root, log));
      await once(join(root, `cni-plugins-${CNI_PLUGINS_VERSION}`), Object.keys(CNI_PLUGINS).map((n) => join(p.cniBinDir, n)), log, () => buildCniPlugins(root, log));
      await once(join(root, `coredns-${COREDNS_VERSION}`), [p.coredns], log, () => buildCoredns(root, log));
      await once(join(root, `kube-router-${KUBE_ROUTER_VERSION}`), [p.kubeRouter], log, () => buildKubeRouter(root, log));
    })(),
    (async () => {
      // The Kubernetes wrapper module must exist (and its own build be finished) before we add to it.
      await ensureBinaries({ root, log });
      await once(join(root, `kubernetes-${KUBERNETES_VERSION}`), [p.kubelet, p.kubeScheduler, p.kubeProxy], log, () => buildKubernetesNode(root, p, log));
      await once(join(p.pause, '..', '..'), [p.pause], log, () => buildPause(root, p.pause, log));
    })(),
  ]);
  return p;
}
