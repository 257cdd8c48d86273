// An IngestionCluster's life on the real node, in a namespace of its own: while it runs, every
// process of every pod of the system is held to the restricted profile as the kernel sees it (no
// root, no capabilities, no new privileges, seccomp, a root filesystem that refuses writes) and the
// cluster still parses a document; its workers scale up with READY True throughout; then deleting
// the IngestionCluster lets kube-controller-manager's garbage collector remove every object it
// owned, down to the pods.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureGlua } from '@sluice/devenv/glua';
import { health } from '../support/argocd.ts';
import { eventually, kubectl, kubectlOk } from '../support/kube.ts';
import { prose, textPdf } from '../dataplane/support/pdf-factory.ts';
import { containerTasks, installCluster, installSystem, isReady, pods, readyPods, type TestCluster } from './support/system.ts';

const log = (s: string) => console.log(`[lifecycle] ${s}`);

let cluster: TestCluster;

beforeAll(async () => {
  await installSystem(log);
  cluster = await installCluster('e2e-life', (spec) => {
    const small = (cpu: string, memory: string, limit: string) => ({ requests: { cpu, memory }, limits: { memory: limit } });
    spec.api = { ...(spec.api as object), replicas: 1, resources: small('100m', '128Mi', '512Mi') };
    // A worker whose Redis is deleted with it waits out its whole grace period (its stop waits
    // on Redis): keep that short, so the garbage collection is seen within the test.
    spec.workers = { ...(spec.workers as object), replicas: 1, documentTimeoutSeconds: 30, terminationGracePeriodSeconds: 30, resources: small('200m', '256Mi', '2Gi') };
    spec.autoscaling = { mode: 'None' };
  });
  await cluster.ready();
}, 20 * 60_000);
afterAll(async () => cluster?.remove());

/** Every process in the container whose init process is `pid`: its pids cgroup's members. */
function containerProcesses(pid: number): number[] {
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.split(':')[1] === 'pids');
  const path = line?.split(':')[2];
  if (path === undefined) throw new Error(`no pids cgroup for ${pid}`);
  return readFileSync(join('/sys/fs/cgroup/pids', path, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
}

function status(pid: number): Record<string, string> {
  return Object.fromEntries(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
}

/**
 * A process's status once it runs the image's code: an exec probe (Redis's) briefly puts runc's
 * own init (`runc:[2:INIT]`) in the container, which applies seccomp last, just before it execs.
 * Undefined if the process ended first.
 */
async function settledStatus(pid: number): Promise<Record<string, string> | undefined> {
  for (let i = 0; i < 100; i++) {
    let s: Record<string, string>;
    try {
      s = status(pid);
    } catch {
      return undefined; // ended between the listing and the read
    }
    if (!s.Name?.startsWith('runc:[')) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`pid ${pid} stayed in runc's init for 2 s`);
}

interface Checked {
  what: string;
  processes: number;
}

describe('an IngestionCluster on a real node', () => {
  it('runs every process of every pod without root, capabilities or new privileges, under seccomp, on a root filesystem that refuses writes', async () => {
    const tasks = await containerTasks();
    const checked: Checked[] = [];
    for (const ns of ['sluice-system', 'db', 'chroma', cluster.ns]) {
      for (const pod of (await pods(ns)).filter(isReady)) {
        for (const cs of pod.status.containerStatuses ?? []) {
          const what = `${ns}/${pod.metadata.name}/${cs.name}`;
          const pid = tasks.get((cs.containerID ?? '').replace('containerd://', ''));
          expect(pid, `${what} has a running task`).toBeGreaterThan(0);
          const procs = containerProcesses(pid!);
          expect(procs, what).toContain(pid);
          for (const p of procs) {
            const s = await settledStatus(p);
            if (!s) continue;
            const who = `${what} pid ${p} (${s.Name})`;
            for (const id of [...(s.Uid ?? '').split(/\s+/), ...(s.Gid ?? '').split(/\s+/)]) expect(Number(id), `${who} uid/gid ${s.Uid} / ${s.Gid}`).toBeGreaterThan(0);
            expect(BigInt(`0x${s.CapEff}`), `${who} effective capabilities`).toBe(0n);
            expect(BigInt(`0x${s.CapPrm}`), `${who} permitted capabilities`).toBe(0n);
            expect(s.NoNewPrivs, `${who} no_new_privs`).toBe('1');
            expect(s.Seccomp, `${who} seccomp mode (2: filter)`).toBe('2');
          }
          // A write into the container's / through its own mount table: read-only even for this
          // host's root, so nothing in the container can change its image.
          let err: NodeJS.ErrnoException | undefined;
          try {
            writeFileSync(`/proc/${pid}/root/e2e-probe`, 'x');
          } catch (e) {
            err = e as NodeJS.ErrnoException;
          }
          expect(err?.code, `writing / of ${what}`).toBe('EROFS');
          checked.push({ what, processes: procs.length });
        }
      }
    }
    // operator ×2, PostgreSQL, Chroma, and this cluster's Redis, API and worker at least.
    expect(checked.length, checked.map((c) => c.what).join('\n')).toBeGreaterThanOrEqual(7);
    log(`checked ${checked.map((c) => `${c.what} (${c.processes} processes)`).join(', ')}`);
  });

  it('refuses writes to / from inside the API and worker containers, as their own user, and the cluster still parses a document', async () => {
    for (const component of ['api', 'worker']) {
      const [pod] = await readyPods(cluster.ns, `app.kubernetes.io/component=${component}`, 1);
      // The image's own node, as the container's user: / refuses, the /tmp volume takes it.
      const script = "const fs=require('fs');const t=(p)=>{try{fs.writeFileSync(p,'x');return 'ok'}catch(e){return e.code}};console.log(JSON.stringify({uid:process.getuid(),root:t('/probe'),app:t(process.cwd()+'/probe'),tmp:t('/tmp/probe')}))";
      const out = JSON.parse((await kubectlOk(['-n', cluster.ns, 'exec', pod!.metadata.name, '-c', component, '--', 'node', '-e', script])).trim()) as Record<string, unknown>;
      expect(out, `${component}: ${JSON.stringify(out)}`).toMatchObject({ root: 'EROFS', app: 'EROFS', tmp: 'ok' });
      expect(out.uid).not.toBe(0);
    }

    const r = await cluster.api.upload(`${cluster.ns}-works`, 'works.pdf', await textPdf(Array.from({ length: 5 }, (_, n) => prose(7, n))));
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const [doc] = await cluster.api.terminal([r.document!.id], 300_000);
    expect(doc, JSON.stringify(doc)).toMatchObject({ state: 'succeeded', pages: 5 });
  });

  it('scales the workers from 1 to 3 with READY True throughout, as kubectl get ic and Argo CD show it', async () => {
    const glua = await ensureGlua();
    type Ic = { metadata: { generation: number }; status?: { observedGeneration?: number; workers?: { summary?: string }; conditions?: { type: string; status: string; reason: string }[] } };
    const cond = (ic: Ic, type: string) => ic.status?.conditions?.find((c) => c.type === type);
    await kubectlOk(['-n', cluster.ns, 'patch', 'ic', cluster.name, '--type=merge', '-p', '{"spec":{"workers":{"replicas":3}}}']);
    const seen: { observed: boolean; ready: string; scaling: string; health: string; workers: string }[] = [];
    await eventually('three ready workers, in status', async () => {
      const ic = JSON.parse(await kubectlOk(['-n', cluster.ns, 'get', 'ic', cluster.name, '-o', 'json'])) as Ic;
      const row = (await kubectlOk(['-n', cluster.ns, 'get', 'ic', cluster.name, '--no-headers'])).trim().split(/\s+/);
      // Until the operator has seen the new spec, Argo CD says Progressing by design (not a scale).
      seen.push({ observed: ic.status?.observedGeneration === ic.metadata.generation, ready: row[1]!, scaling: cond(ic, 'Scaling')?.reason ?? '', health: (await health(glua, 'IngestionCluster', ic)).status, workers: row[2]! });
      return ic.status?.observedGeneration === ic.metadata.generation && ic.status.workers?.summary === '3/3';
    }, 180_000, 250);
    log(`while scaling: ${[...new Set(seen.map((s) => `${s.ready} ${s.workers} ${s.scaling} ${s.health}`))].join(' | ')}`);
    // The scale was seen under way (ScalingUp, or RollingOut if a rollout overlapped it), and never
    // read as not ready or not healthy.
    expect(seen.some((s) => s.observed && (s.scaling === 'ScalingUp' || s.scaling === 'RollingOut'))).toBe(true);
    expect(seen.filter((s) => s.ready !== 'True' || (s.observed && s.health !== 'Healthy'))).toEqual([]);
  }, 300_000);

  it('deleting the IngestionCluster garbage-collects every pod and object it owned', async () => {
    const uid = (await kubectlOk(['-n', cluster.ns, 'get', 'ic', cluster.name, '-o', 'jsonpath={.metadata.uid}'])).trim();
    const owned = await ownedBy(cluster.ns, uid);
    const kinds = new Set(owned.map((o) => o.kind));
    log(`owned before the delete: ${owned.length} objects: ${[...kinds].sort().join(', ')}`);
    // What the operator makes (and what their controllers make from it), so the closure is real.
    for (const k of ['Deployment', 'ReplicaSet', 'StatefulSet', 'Pod', 'Service', 'Secret', 'ServiceAccount', 'NetworkPolicy']) expect(kinds, k).toContain(k);

    await kubectlOk(['-n', cluster.ns, 'delete', 'ic', cluster.name, '--wait=false']);
    const t0 = Date.now();
    const left = await eventually('every owned object to be gone', async () => {
      const present = new Set((await namespaced(cluster.ns)).map((o) => o.metadata.uid));
      const still = owned.filter((o) => present.has(o.uid));
      return still.length === 0 && still;
    }, 180_000, 2000).catch(async (e: unknown) => {
      const present = new Set((await namespaced(cluster.ns)).map((o) => o.metadata.uid));
      throw new Error(`${(e as Error).message}: ${owned.filter((o) => present.has(o.uid)).map((o) => `${o.kind}/${o.name}`).join(', ')}`, { cause: e });
    });
    expect(left).toEqual([]);
    expect((await kubectl(['-n', cluster.ns, 'get', 'ic', cluster.name])).code).not.toBe(0);
    expect(await pods(cluster.ns)).toEqual([]);
    const kept = (await namespaced(cluster.ns)).map((o) => `${o.kind}/${o.metadata.name}`);
    log(`gone in ${((Date.now() - t0) / 1000).toFixed(1)} s; left in the namespace: ${kept.join(', ')}`);
  }, 300_000);
});

interface Obj {
  kind: string;
  metadata: { name: string; uid: string; ownerReferences?: { uid: string }[] };
}

/** Every listable namespaced object in `ns`, Events aside. */
async function namespaced(ns: string): Promise<Obj[]> {
  const resources = (await kubectlOk(['api-resources', '--verbs=list', '--namespaced', '-o', 'name']))
    .split('\n')
    .filter((r) => r !== '' && !r.startsWith('events'));
  return (JSON.parse(await kubectlOk(['-n', ns, 'get', resources.join(','), '-o', 'json'])) as { items: Obj[] }).items;
}

/** The objects whose chain of ownerReferences leads to `uid`. */
async function ownedBy(ns: string, uid: string): Promise<{ kind: string; name: string; uid: string }[]> {
  const all = await namespaced(ns);
  const closure = new Set([uid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const o of all) {
      if (!closure.has(o.metadata.uid) && o.metadata.ownerReferences?.some((r) => closure.has(r.uid))) {
        closure.add(o.metadata.uid);
        grew = true;
      }
    }
  }
  closure.delete(uid);
  return all.filter((o) => closure.has(o.metadata.uid)).map((o) => ({ kind: o.kind, name: o.metadata.name, uid: o.metadata.uid }));
}
