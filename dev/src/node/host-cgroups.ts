// The pods' cgroups on the host: the kubelet's (`kubepods`) and containerd's (`k8s.io`) under every
// hierarchy (cgroup v1 has one per controller). The kubelet and containerd remove them while we
// look, so a cgroup that vanished between listing and reading is skipped, never an error.
import { existsSync, readdirSync, readFileSync, rmdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../net.ts';

const CGROUP_ROOT = '/sys/fs/cgroup';

type ReadDir = (dir: string) => Dirent[];
const listDir: ReadDir = (dir) => readdirSync(dir, { withFileTypes: true });

/** ENOENT or ENOTDIR: the path was removed (or replaced) after we saw it. */
export const vanished = (err: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

function subdirectories(dir: string, readdir: ReadDir): string[] | undefined {
  try {
    return readdir(dir).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  } catch (err) {
    if (vanished(err)) return undefined;
    throw err;
  }
}

/** `dir` and every cgroup below it, children before parents; what vanished meanwhile is left out. */
export function walkCgroups(dir: string, readdir: ReadDir = listDir): string[] {
  const children = subdirectories(dir, readdir);
  if (children === undefined) return [];
  return [...children.flatMap((c) => walkCgroups(c, readdir)), dir];
}

export function podCgroupRoots(root = CGROUP_ROOT): string[] {
  const hierarchies = subdirectories(root, listDir) ?? [];
  return hierarchies.flatMap((h) => ['kubepods', 'k8s.io'].map((c) => join(h, c))).filter((d) => existsSync(d));
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** SIGKILLs every process in the pods' cgroups (the containers, their pause processes); returns how many. */
export function killPodProcesses(root = CGROUP_ROOT): number {
  let n = 0;
  for (const cgroup of podCgroupRoots(root).flatMap((r) => walkCgroups(r))) {
    let procs: string[];
    try {
      procs = readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
    } catch {
      continue; // removed meanwhile, or not a cgroup with processes
    }
    for (const pid of procs) {
      kill(Number(pid));
      n++;
    }
  }
  return n;
}

/** Removes the pods' cgroups, killing what still runs in them; returns those it could not remove. */
export async function removePodCgroups(root = CGROUP_ROOT, attempts = 20): Promise<string[]> {
  let left: string[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    left = [];
    for (const cgroup of podCgroupRoots(root).flatMap((r) => walkCgroups(r))) {
      try {
        rmdirSync(cgroup);
      } catch (err) {
        if (!vanished(err)) left.push(cgroup);
      }
    }
    if (left.length === 0) return [];
    killPodProcesses(root);
    await sleep(250);
  }
  return left;
}
