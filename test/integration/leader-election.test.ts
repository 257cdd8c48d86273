// Two controller processes at once: only the lease holder reconciles; a SIGKILLed leader is
// replaced within about a lease duration, and a SIGTERMed one hands over at once. Each process
// has a Pod of its name (never scheduled: there is no node here) whose image it reads at start,
// as it does in its real pod, and the leader's children run that image.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppsV1Api, CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { freePort } from '@sluice/devenv/net';
import { clusterManifest, pgSecret } from '../support/controller.ts';
import { createNamespace, eventually, kubeConfig, kubectlOk } from '../support/kube.ts';

const kc = kubeConfig();
const leases = kc.makeApiClient(CoordinationV1Api);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);

interface Proc {
  id: string;
  port: number;
  child: ChildProcess;
}

let ns: Awaited<ReturnType<typeof createNamespace>>;
const procs: Proc[] = [];

const imageOf = (id: string) => `registry.test/sluice:${id}`;

/** The Pod a process is named after (POD_NAME): an operator container with an image of its own. */
async function ownPod(id: string): Promise<void> {
  const pod = { metadata: { name: id }, spec: { containers: [{ name: 'sidecar', image: 'registry.test/other:1' }, { name: 'operator', image: imageOf(id) }] } };
  await eventually(`pod ${id} created`, () => core.createNamespacedPod({ namespace: ns.name, body: pod }).then(() => true, () => false));
}

async function startProc(id: string): Promise<Proc> {
  await ownPod(id);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['src/controller/main.ts', `--kubeconfig=${inject('kubeconfig')}`, `--namespace=${ns.name}`, `--leader-election-namespace=${ns.name}`, `--http-port=${port}`],
    { stdio: 'ignore', env: { ...process.env, POD_NAME: id } },
  );
  const p = { id, port, child };
  procs.push(p);
  await eventually(`${id} ready`, async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 30_000);
  return p;
}

const reconciles = async (p: Proc) => {
  const text = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
  return [...text.matchAll(/^sluice_controller_reconciles_total\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
};
const holder = async () => (await leases.readNamespacedLease({ namespace: ns.name, name: 'sluice-operator' })).spec?.holderIdentity;
const configOf = (name: string) => core.readNamespacedConfigMap({ namespace: ns.name, name: `${name}-config` }).catch(() => undefined);

beforeAll(async () => {
  ns = await createNamespace('leader');
  await kubectlOk(['apply', '-n', ns.name, '-f', '-'], pgSecret('le'));
});
afterAll(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  await ns?.remove();
});

describe('leader election', () => {
  let a: Proc;
  let b: Proc;

  it('lets only the lease holder reconcile', async () => {
    a = await startProc('controller-a');
    await eventually('a to lead', async () => (await holder()) === 'controller-a');
    b = await startProc('controller-b');
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], clusterManifest('le'));
    await eventually('children of le', () => configOf('le'));
    // No image named anywhere but in the leader's own pod, and its children run it.
    const api = await eventually('the API Deployment of le', () => apps.readNamespacedDeployment({ namespace: ns.name, name: 'le-api' }).catch(() => undefined));
    expect(api.spec?.template.spec?.containers.map((c) => c.image)).toEqual([imageOf('controller-a')]);
    await eventually('a to count its reconciles', async () => (await reconciles(a)) > 0);
    expect(await reconciles(b)).toBe(0);
    expect(await holder()).toBe('controller-a');
  });

  it('hands over within ~15 s when the leader is killed', async () => {
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    await eventually('b to lead', async () => (await holder()) === 'controller-b', 25_000, 250);
    const handover = Date.now() - killedAt;
    expect(handover).toBeLessThan(20_000);
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], clusterManifest('le2').replace(/le2-pg/g, 'le-pg'));
    await eventually('b to reconcile le2', () => configOf('le2'));
    await eventually('b to count its reconciles', async () => (await reconciles(b)) > 0);
  });

  it('refuses to start, saying why, when its own pod is not there to take the image from', async () => {
    const child = spawn(
      process.execPath,
      ['src/controller/main.ts', `--kubeconfig=${inject('kubeconfig')}`, `--namespace=${ns.name}`, `--leader-election-namespace=${ns.name}`, '--http-port=0'],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, POD_NAME: 'no-such-pod' } },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).not.toBe(0);
    expect(stderr).toContain(`its own pod ${ns.name}/no-such-pod (POD_NAME, POD_NAMESPACE) was not found; or set --image (SLUICE_IMAGE)`);
  });

  it('releases the lease on SIGTERM so a standby takes over at once', async () => {
    const c = await startProc('controller-c');
    expect(await holder()).toBe('controller-b');
    const exited = new Promise<number | null>((r) => b.child.once('exit', (code) => r(code)));
    b.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const stoppedAt = Date.now();
    await eventually('c to lead', async () => (await holder()) === 'controller-c', 10_000, 100);
    // A released lease (duration 1 s) is taken on the standby's next 2 s retry, not after 15 s.
    expect(Date.now() - stoppedAt).toBeLessThan(6_000);
    expect(c.child.exitCode).toBeNull();
  });
});
