// The host state a node writes, and removing it: after a clean stop, and before a start (a crashed
// run leaves daemons, mounts, a bridge, nft tables, iptables chains, ipsets and cgroups behind).
// One node per machine: a lock naming the owning process serialises runs, and a dead owner's
// leftovers are what the next owner cleans. While stopping, a process, cgroup or link that is
// already gone is the normal case: every step runs, whatever an earlier one found.
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { acquireLock } from '../lock.ts';
import { sleep } from '../net.ts';
import { run } from '../run.ts';
import { killPodProcesses, podCgroupRoots, removePodCgroups } from './host-cgroups.ts';
import { ipsetsLeft, iptablesChainsLeft, nftTablesLeft, nodeLinks, removeIpsets, removeIptablesChains, removeLinks, removeNftTables } from './host-network.ts';

/** Disk state of the node (containerd's root, the kubelet's root, logs, configuration). */
export const NODE_DIR = '/var/lib/sluice-node';
/** Runtime state (sockets, containerd's state, runc's state, network namespaces). */
export const NODE_RUN_DIR = '/run/sluice-node';
/** Paths containerd and the kubelet write whatever they are configured with. */
const FIXED_PATHS = ['/run/containerd', '/var/lib/cni', '/var/lib/kubelet', '/var/log/containers', '/var/log/pods'];
const NODE_PATHS = [NODE_DIR, NODE_RUN_DIR, ...FIXED_PATHS];
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
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => wanted.has(exe(pid)));
}

/** SIGKILLs `pids` and waits (up to 5 s) until none of them runs any more. */
export async function killAndWait(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (let i = 0; i < 50 && pids.some((pid) => exe(pid) !== '?'); i++) await sleep(100);
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

export type Step = readonly [name: string, run: () => unknown];

/** Runs every step in order, whatever an earlier one threw; returns the failures, each named by its step. */
export async function runEveryStep(steps: readonly Step[]): Promise<string[]> {
  const failures: string[] = [];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (err) {
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return failures;
}

/**
 * Removes everything a node leaves on the host. `daemons` are the node's binaries: any process
 * running one of them now belongs to a run that is over (the lock says so), and is killed.
 * Logs what could not be removed; never throws.
 */
export async function cleanHost(daemons: string[], log: Log): Promise<void> {
  const failures = await runEveryStep([
    ['kill leftover node processes', async () => {
      const leftover = processesRunning(daemons);
      if (leftover.length > 0) log(`killing leftover node processes: ${leftover.map((pid) => `${pid} (${exe(pid)})`).join(', ')}`);
      await killAndWait(leftover);
    }],
    ['kill pod processes', () => killPodProcesses()],
    ['unmount', () => unmountUnder(NODE_PATHS)],
    ['remove cgroups', async () => {
      const left = await removePodCgroups();
      if (left.length) throw new Error(`could not remove ${left.slice(0, 5).join(' ')}`);
    }],
    ['remove links', removeLinks],
    ['remove nft tables', removeNftTables],
    ['remove iptables chains', removeIptablesChains],
    ['remove ipsets', removeIpsets],
    ['remove directories', () => {
      // Not through a mount that unmounting left behind.
      if (mountsUnder(NODE_PATHS).length === 0) for (const p of NODE_PATHS) rmSync(p, { recursive: true, force: true });
    }],
  ]);
  for (const f of failures) log(`cleaning the host: ${f}`);
}

/** What a node left on the host: empty after a stop that cleaned up. */
export async function hostLeftovers(daemons: string[]): Promise<string[]> {
  return [
    ...processesRunning(daemons).map((pid) => `process ${pid} (${exe(pid)})`),
    ...mountsUnder(NODE_PATHS).map((m) => `mount ${m}`),
    ...podCgroupRoots().map((c) => `cgroup ${c}`),
    ...(await nodeLinks()).map((l) => `link ${l}`),
    ...(await nftTablesLeft()).map((t) => `nft ${t}`),
    ...(await iptablesChainsLeft()).map((c) => `chain ${c}`),
    ...(await ipsetsLeft()).map((s) => `ipset ${s}`),
    ...NODE_PATHS.filter((p) => existsSync(p)).map((p) => `directory ${p}`),
  ];
}
