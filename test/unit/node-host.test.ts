// Stopping the local node races with the kubelet and containerd removing cgroups: a directory
// listed a moment ago may be gone when it is read. That is the normal case, and every step of a
// stop runs whatever an earlier one met.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { podCgroupRoots, removePodCgroups, walkCgroups } from '@sluice/devenv/node/host-cgroups';
import { runEveryStep } from '@sluice/devenv/node/host';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A fake cgroup v1 root: hierarchies with the kubelet's pod cgroups under kubepods. */
function cgroupTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'cgroups-'));
  roots.push(root);
  for (const h of ['cpu', 'devices', 'memory']) {
    for (const pod of ['pod-a', 'pod-b']) for (const c of ['c1', 'c2']) mkdirSync(join(root, h, 'kubepods', 'besteffort', pod, c), { recursive: true });
  }
  mkdirSync(join(root, 'cpu', 'system.slice'), { recursive: true });
  return root;
}

describe('walking the pods cgroups while they are removed', () => {
  it('lists children before parents', () => {
    const root = cgroupTree();
    const walked = walkCgroups(join(root, 'devices', 'kubepods'));
    expect(walked).toHaveLength(8); // kubepods, besteffort, 2 pods, 4 containers
    expect(walked.at(-1)).toBe(join(root, 'devices', 'kubepods'));
    expect(walked.indexOf(join(root, 'devices/kubepods/besteffort/pod-a/c1'))).toBeLessThan(walked.indexOf(join(root, 'devices/kubepods/besteffort/pod-a')));
  });

  it('skips a cgroup removed between listing its parent and reading it', () => {
    const root = cgroupTree();
    const pod = join(root, 'devices/kubepods/besteffort/pod-b');
    // The kubelet removes pod-b right after its parent was listed.
    const racing = (dir: string) => {
      const entries = readdirSync(dir, { withFileTypes: true });
      if (dir.endsWith('besteffort')) rmSync(pod, { recursive: true });
      return entries;
    };
    const walked = walkCgroups(join(root, 'devices/kubepods'), racing);
    expect(walked.some((d) => d.startsWith(pod))).toBe(false);
    expect(walked).toContain(join(root, 'devices/kubepods/besteffort/pod-a/c2'));
  });

  it('answers nothing for a root that is already gone', () => {
    expect(walkCgroups(join(tmpdir(), 'no-such-cgroup-root'))).toEqual([]);
  });

  it('removes every pod cgroup of every hierarchy, and nothing else', async () => {
    const root = cgroupTree();
    expect(podCgroupRoots(root)).toHaveLength(3);
    expect(await removePodCgroups(root)).toEqual([]);
    expect(podCgroupRoots(root)).toEqual([]);
    expect(readdirSync(join(root, 'cpu'))).toEqual(['system.slice']);
  });
});

describe('the steps of a stop', () => {
  it('all run, in order, whatever one of them throws; failures are named by step', async () => {
    const ran: string[] = [];
    const failures = await runEveryStep([
      ['stop kubelet', () => void ran.push('kubelet')],
      ['kill pod processes', () => {
        ran.push('pods');
        throw Object.assign(new Error("ENOENT: no such file or directory, scandir '/sys/fs/cgroup/devices/kubepods/x'"), { code: 'ENOENT' });
      }],
      ['stop containerd', async () => {
        ran.push('containerd');
        await Promise.reject(new Error('exited already'));
      }],
      ['clean the host', () => void ran.push('clean')],
    ]);
    expect(ran).toEqual(['kubelet', 'pods', 'containerd', 'clean']);
    expect(failures).toEqual([
      "kill pod processes: ENOENT: no such file or directory, scandir '/sys/fs/cgroup/devices/kubepods/x'",
      'stop containerd: exited already',
    ]);
  });
});
