// The host state a node writes, and removing it: after a clean stop, and before a start (a crashed
// run leaves daemons, mounts, a bridge, nft tables, iptables chains, ipsets and cgroups behind).
// One node per machine: a lock naming the owning process serialises runs, and a dead owner's
// leftovers are what the next owner cleans.
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../net.ts';
import { run } from '../run.ts';
import { BRIDGE, TEST_RANGE, VOID_DEVICE } from './config.ts';
import { acquireLock } from '../lock.ts';

/** Disk state of the node (containerd's root, the kubelet's root, logs, configuration). */
export const NODE_DIR = '/var/lib/sluice-node';
/** Runtime state (sockets, containerd's state, runc's state, network namespaces). */
export const NODE_RUN_DIR = '/run/sluice-node';
/** Paths containerd and the kubelet write whatever they are configured with. */
const FIXED_PATHS = ['/run/containerd', '/var/lib/cni', '/var/lib/kubelet', '/var/log/containers', '/var/log/pods'];
const LOCK = '/run/sluice-node.lock';

type Log = (s: string) => void;

let releaseLock: (() => void) | undefined;

/** Takes the machine's node lock, waiting for a live owner to finish; a dead owner's lock is taken over. */
export async function acquireNodeLock(log: Log, timeoutMs = 30 * 60_000): Promise<void> {
  releaseLock = await acquireLock(LOCK, 'the node of another run to stop', log, timeoutMs);
}

export function releaseNodeLock(): void {
  releaseLock?.();
  releaseLock = undefined;
}

function pids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

function exe(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '?';
  }
}

/** PIDs whose executable is one of `binaries`. */
export function processesRunning(binaries: string[]): number[] {
  const wanted = new Set(binaries);
  return pids().filter((pid) => {
    try {
      return wanted.has(readlinkSync(`/proc/${pid}/exe`));
    } catch {
      return false;
    }
  });
}

function kill(pid: number, signal: NodeJS.Signals = 'SIGKILL') {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

function cgroupHierarchies(): string[] {
  try {
    return readdirSync('/sys/fs/cgroup').map((h) => join('/sys/fs/cgroup', h));
  } catch {
    return [];
  }
}

/** The kubelet's pod cgroups and containerd's, under every hierarchy (cgroup v1 has one per controller). */
function ourCgroups(): string[] {
  return cgroupHierarchies().flatMap((h) => ['kubepods', 'k8s.io'].map((c) => join(h, c))).filter((d) => existsSync(d));
}

function walkCgroups(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...walkCgroups(join(dir, e.name)));
  out.push(dir);
  return out; // children before parents
}

/** SIGKILLs every process in the pods' cgroups (the containers, their pause processes). */
export function killPodProcesses(): number {
  let n = 0;
  for (const root of ourCgroups()) {
    for (const cg of walkCgroups(root)) {
      let procs: string[];
      try {
        procs = readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
      } catch {
        continue;
      }
      for (const p of procs) {
        kill(Number(p));
        n++;
      }
    }
  }
  return n;
}

async function removeCgroups(log: Log) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const left: string[] = [];
    for (const root of ourCgroups()) {
      for (const cg of walkCgroups(root)) {
        try {
          rmdirSync(cg);
        } catch {
          left.push(cg);
        }
      }
    }
    if (left.length === 0) return;
    killPodProcesses();
    await sleep(250);
    if (attempt === 19) log(`could not remove cgroups: ${left.slice(0, 5).join(' ')}`);
  }
}

function mountsUnder(prefixes: string[]): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && prefixes.some((p) => m === p || m.startsWith(`${p}/`)))
    .map((m) => m.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length); // deepest first
}

async function unmountUnder(prefixes: string[]) {
  for (const m of mountsUnder(prefixes)) await run('umount', ['-l', m]).catch(() => undefined);
  // Removing a directory with something still mounted in it would delete through the mount.
  const left = mountsUnder(prefixes);
  if (left.length > 0) throw new Error(`still mounted, not removing the node's directories: ${left.join(' ')}`);
}

async function tryRun(cmd: string, args: string[]) {
  return run(cmd, args).catch(() => undefined);
}

/** Deletes the iptables chains the kubelet (KUBE-*) and the CNI plugins (CNI-*) made, and the rules jumping to them. */
export async function removeIptablesChains(): Promise<void> {
  for (const tool of ['iptables', 'ip6tables']) {
    const saved = await tryRun(`${tool}-save`, []);
    if (!saved) continue;
    const ours = (c: string) => /^(KUBE|CNI)-/.test(c);
    let table = '';
    const script: Record<string, { deletes: string[]; chains: string[] }> = {};
    for (const line of saved.stdout.split('\n')) {
      if (line.startsWith('*')) {
        table = line.slice(1);
        script[table] = { deletes: [], chains: [] };
      } else if (line.startsWith(':')) {
        const chain = line.slice(1).split(' ')[0]!;
        if (ours(chain)) script[table]!.chains.push(chain);
      } else if (line.startsWith('-A ')) {
        const chain = line.split(' ')[1]!;
        const target = /\s-[jg]\s+(\S+)/.exec(line)?.[1];
        if (!ours(chain) && target && ours(target)) script[table]!.deletes.push(`-D ${line.slice(3)}`);
      }
    }
    let restore = '';
    for (const [t, s] of Object.entries(script)) {
      if (s.chains.length === 0 && s.deletes.length === 0) continue;
      restore += `*${t}\n${s.deletes.join('\n')}${s.deletes.length ? '\n' : ''}${s.chains.map((c) => `-F ${c}`).join('\n')}\n${s.chains.map((c) => `-X ${c}`).join('\n')}\nCOMMIT\n`;
    }
    if (restore) await run(`${tool}-restore`, ['--noflush'], { input: restore });
  }
}

/** Destroys kube-router's ipsets (KUBE-SRC-*, KUBE-DST-*, their TMP- and inet6: forms), once no rule refers to them. */
export async function removeIpsets(): Promise<void> {
  const listed = await tryRun('ipset', ['list', '-n']);
  if (!listed) return;
  const ours = listed.stdout.split('\n').filter((n) => /^(inet6:)?(TMP-)?KUBE-/.test(n));
  // `ipset destroy` of a set in another set's list fails; a second round takes what that freed.
  for (let round = 0; round < 2; round++) for (const name of ours) await tryRun('ipset', ['destroy', name]);
}

/** SIGKILLs `pids` and waits (up to 5 s) until none of them runs any more. */
export async function killAndWait(pids: number[]): Promise<void> {
  for (const pid of pids) kill(pid);
  for (let i = 0; i < 50 && pids.some((pid) => exe(pid) !== '?'); i++) await sleep(100);
}

/**
 * Removes everything a node leaves on the host. `daemons` are the node's binaries: any process
 * running one of them now belongs to a run that is over (the lock says so), and is killed.
 */
export async function cleanHost(daemons: string[], log: Log): Promise<void> {
  const leftover = processesRunning(daemons);
  if (leftover.length > 0) log(`killing leftover node processes: ${leftover.map((pid) => `${pid} (${exe(pid)})`).join(', ')}`);
  await killAndWait(leftover);
  killPodProcesses();
  await unmountUnder([NODE_DIR, NODE_RUN_DIR, ...FIXED_PATHS]);
  await removeCgroups(log);
  await tryRun('ip', ['link', 'delete', BRIDGE]);
  await tryRun('ip', ['link', 'delete', VOID_DEVICE]);
  await tryRun('nft', ['delete', 'table', 'ip', 'kube-proxy']);
  await tryRun('nft', ['delete', 'table', 'ip6', 'kube-proxy']);
  await removeIptablesChains();
  await removeIpsets();
  for (const p of [NODE_DIR, NODE_RUN_DIR, ...FIXED_PATHS]) rmSync(p, { recursive: true, force: true });
}

/** See VOID_DEVICE: nothing addressed to 198.18.0.0/15 leaves this machine. */
export async function addVoidRoute(): Promise<void> {
  // A bridge with no ports: this kernel has no dummy devices, and a portless bridge drops all it is sent.
  await run('ip', ['link', 'add', VOID_DEVICE, 'type', 'bridge']);
  await run('ip', ['link', 'set', VOID_DEVICE, 'up']);
  await run('ip', ['route', 'add', TEST_RANGE, 'dev', VOID_DEVICE]);
}
