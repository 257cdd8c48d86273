// Sluice installed the way a user installs it, on the real node with images built here:
// `kubectl apply -k manifests/dev` (PostgreSQL, Chroma), `kubectl apply -k .` (CRDs, RBAC, the
// operator as its own pods) and the examples (through manifests/dev/examples, which only swaps in
// the Redis image built here). The operator's pods, Managed Redis, the API and a worker come up
// Ready; a PDF uploaded through the API Service is parsed in the worker pod and found by search,
// and so is a scanned one, by a word only its image holds (OCR in the pod);
// and every pod runs non-root on a read-only root filesystem. Setting a second tag on the
// operator's Deployment alone rolls the API and worker pods to it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { textPdf } from '../dataplane/support/pdf-factory.ts';
import { scannedPdf } from '../dataplane/support/scanned-pdf.ts';
import { eventually, kubectl, kubectlOk } from '../support/kube.ts';
import { REPO } from '@sluice/devenv/images/app-build';
import { devImageSpecs, imageArchive, importDevImages } from '@sluice/devenv/images/dev-images';
import { chromaImageName } from '@sluice/devenv/images/chroma-image';
import { SLUICE_IMAGE } from '@sluice/devenv/images/sluice-image';
import { listImageFiles } from '@sluice/devenv/node/oci-image';
import { ensureDebianPackages } from '@sluice/devenv/node/debian';
import { run } from '@sluice/devenv/run';
import { installBase } from '@sluice/devenv/start/install';

const NS = 'docs';
const KEY = 'dev-key'; // examples/secrets.yaml holds its sha256
const log = (s: string) => console.log(`[install] ${s}`);

interface Pod {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: { containers: { name: string }[] };
  status: { phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { name: string; containerID?: string; ready: boolean }[] };
}

const ready = (p: Pod) => p.status.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function pods(ns: string, selector?: string): Promise<Pod[]> {
  return (JSON.parse(await kubectlOk(['-n', ns, 'get', 'pods', '-o', 'json', ...(selector ? ['-l', selector] : [])])) as { items: Pod[] }).items;
}

/** Waits for `count` (or, unless `exact`, at least `count`) Ready pods matching `selector`; on timeout the error lists every pod's state. */
async function readyPods(ns: string, selector: string, count: number, { exact = true, timeoutMs = 240_000 } = {}): Promise<Pod[]> {
  try {
    return await eventually(`${count} Ready pods ${selector} in ${ns}`, async () => {
      const ps = (await pods(ns, selector)).filter(ready);
      return (exact ? ps.length === count : ps.length >= count) && ps;
    }, timeoutMs, 1000);
  } catch (e) {
    const all = await kubectl(['get', 'pods', '-A', '-o', 'wide']);
    const events = await kubectl(['-n', ns, 'get', 'events', '--sort-by=.lastTimestamp']);
    throw new Error(`${(e as Error).message}\n${all.stdout}\n${events.stdout.split('\n').slice(-25).join('\n')}`, { cause: e });
  }
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

let apiBase = '';

beforeAll(async () => {
  const t0 = Date.now();
  // pdftoppm, with which the scanned PDF is made (the worker image carries its own Tesseract).
  await ensureDebianPackages(['poppler-utils'], log);
  const names = await importDevImages(inject('containerd'), log);
  log(`images ${names.join(', ')} built and imported in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await installBase(kubectlOk, REPO);
  await kubectlOk(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NS, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
  }));
  await eventually('the default ServiceAccount', async () => (await kubectl(['-n', NS, 'get', 'serviceaccount', 'default'])).code === 0);
  await kubectlOk(['-n', NS, 'apply', '-k', join(REPO, 'manifests/dev/examples')]);
  log(`applied in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, 30 * 60_000);

describe('kubectl apply -k manifests/dev, -k . and the examples on a real node', () => {
  it('bring the operator, the dev stores, Managed Redis and the API up Ready, and the cluster reports Ready', async () => {
    const t0 = Date.now();
    await readyPods('sluice-system', 'app.kubernetes.io/component=operator', 2);
    await readyPods('db', 'app.kubernetes.io/name=postgres', 1);
    await readyPods('chroma', 'app.kubernetes.io/name=chroma', 1);
    await readyPods(NS, 'app.kubernetes.io/instance=docs,app.kubernetes.io/component=redis', 1);
    await readyPods(NS, 'app.kubernetes.io/instance=docs,app.kubernetes.io/component=api', 2);
    const row = await eventually('kubectl get ic docs to say READY True', async () => {
      const [, line] = (await kubectlOk(['-n', NS, 'get', 'ic', 'docs'])).trimEnd().split('\n');
      return line !== undefined && /^docs\s+True\s/.test(line) && line;
    }, 120_000, 1000);
    log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${row}`);

    const ip = (await kubectlOk(['-n', NS, 'get', 'service', 'docs-api', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const port = (await kubectlOk(['-n', NS, 'get', 'service', 'docs-api', '-o', 'jsonpath={.spec.ports[0].port}'])).trim();
    apiBase = `http://${ip}:${port}`;
  });

  it('parses a PDF uploaded through the API Service in a worker pod, counts the worker, and finds it by search', async () => {
    expect(apiBase, 'the install test ran first').not.toBe('');
    const t0 = Date.now();
    const form = new FormData();
    form.append('collection', 'handbook');
    form.append('file', new Blob([readFileSync(join(REPO, 'examples/employee-handbook.pdf'))], { type: 'application/pdf' }), 'employee-handbook.pdf');
    // From the host, through kube-proxy's rules for the ClusterIP, to one of the two API pods.
    const res = await fetch(`${apiBase}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form });
    const uploaded = (await res.json()) as { document?: { id: string } };
    expect(res.status, JSON.stringify(uploaded)).toBe(202);
    const id = uploaded.document!.id;

    // The worker pod that takes it (Builtin autoscaling, within minReplicas 0..maxReplicas 20).
    await readyPods(NS, 'app.kubernetes.io/instance=docs,app.kubernetes.io/component=worker', 1, { exact: false, timeoutMs: 300_000 });
    const doc = await eventually('the document to finish', async () => {
      const d = (await api(apiBase, 'GET', `/v1/documents/${id}`)).body.document as { state: string; pages: number; chunks: number; error: unknown };
      return (d.state === 'succeeded' || d.state === 'failed') && d;
    }, 300_000, 1000);
    expect(doc, JSON.stringify(doc)).toMatchObject({ state: 'succeeded', pages: 3 });
    log(`document ${id} ${doc.state} in ${((Date.now() - t0) / 1000).toFixed(1)} s (${doc.chunks} chunks)`);

    const { body } = await api(apiBase, 'POST', '/v1/search', { collection: 'handbook', query: 'hotel costs per night reimbursed with receipts', limit: 1 });
    const [hit] = body.results as { documentId: string; pageStart: number; pageEnd: number; text: string }[];
    expect(hit?.documentId).toBe(id);
    expect(hit?.text).toContain('Hotel costs up to 150 euros');
    expect(hit!.pageStart).toBeLessThanOrEqual(2);
    expect(hit!.pageEnd).toBeGreaterThanOrEqual(2);

    // A worker pod's own log shows the document.
    const workerLogs = await Promise.all(
      (await pods(NS, 'app.kubernetes.io/instance=docs,app.kubernetes.io/component=worker')).map((p) => kubectlOk(['-n', NS, 'logs', p.metadata.name])),
    );
    expect(workerLogs.join('\n')).toContain(id);
    // The Workers column counts the real pod: "ready/desired".
    const workers = await eventually('kubectl get ic to count the worker', async () => {
      const w = (await kubectlOk(['-n', NS, 'get', 'ic', 'docs', '-o', 'jsonpath={.status.workers.summary}'])).trim();
      return /^\d+\/[1-9]\d*$/.test(w) && w;
    }, 60_000, 1000);
    log(`kubectl get ic docs: workers ${workers}`);
  });

  it('recognises a scanned PDF uploaded through the API Service, found by a word only its image holds', async () => {
    expect(apiBase, 'the install test ran first').not.toBe('');
    const t0 = Date.now();
    const page = 'Scanned memo. The quarterly marmalade inventory counted forty jars in the east pantry, and the lighthouse keeper signed for them.';
    const pdf = await scannedPdf(await textPdf([page]), { dpi: 300, rotate: 0.5, noise: 0.001 });
    const form = new FormData();
    form.append('collection', 'scans');
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'memo-scan.pdf');
    const res = await fetch(`${apiBase}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form });
    const uploaded = (await res.json()) as { document?: { id: string } };
    expect(res.status, JSON.stringify(uploaded)).toBe(202);
    const id = uploaded.document!.id;
    const doc = await eventually('the scanned document to finish', async () => {
      const d = (await api(apiBase, 'GET', `/v1/documents/${id}`)).body.document as { state: string };
      return (d.state === 'succeeded' || d.state === 'failed') && d;
    }, 300_000, 1000);
    expect(doc, JSON.stringify(doc)).toMatchObject({ state: 'succeeded', pages: 1, pagesOcr: 1, pagesWithoutText: 0 });
    log(`scanned document ${id} recognised in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const { body } = await api(apiBase, 'POST', '/v1/search', { collection: 'scans', query: 'marmalade', limit: 1 });
    expect(body.results, JSON.stringify(body)).toMatchObject([{ documentId: id, textSource: 'ocr' }]);
    expect((body.results as { text: string }[])[0]!.text).toMatch(/marmalade inventory/i);
  });

  it('runs every pod non-root on a read-only root filesystem (as the kernel sees the processes)', async () => {
    const c = inject('containerd');
    // "TASK  PID  STATUS" per running container; the PID is in this host's PID namespace.
    const tasks = new Map<string, number>();
    for (const line of (await run(c.ctr, ['--address', c.socket, '--namespace', 'k8s.io', 'tasks', 'ls'])).stdout.split('\n').slice(1)) {
      const [task, pid, status] = line.trim().split(/\s+/);
      if (task && status === 'RUNNING') tasks.set(task, Number(pid));
    }
    const checked: string[] = [];
    for (const ns of ['sluice-system', 'db', 'chroma', NS]) {
      for (const pod of (await pods(ns)).filter(ready)) {
        for (const cs of pod.status.containerStatuses ?? []) {
          const pid = tasks.get((cs.containerID ?? '').replace('containerd://', ''));
          expect(pid, `${ns}/${pod.metadata.name}/${cs.name} has a running task`).toBeGreaterThan(0);
          const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
          expect(Number(uids?.[1]), `${pod.metadata.name}/${cs.name} real uid`).toBeGreaterThan(0);
          expect(Number(uids?.[2]), `${pod.metadata.name}/${cs.name} effective uid`).toBeGreaterThan(0);
          // mountinfo: "id parent major:minor root mountpoint options ..."; the container's / is read-only.
          const root = readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').map((l) => l.split(' ')).filter((f) => f[4] === '/').at(-1);
          expect(root?.[5]?.split(','), `${pod.metadata.name}/${cs.name} root mount options`).toContain('ro');
          checked.push(`${ns}/${pod.metadata.name}/${cs.name}`);
        }
      }
    }
    // operator ×2, PostgreSQL, Chroma, Redis, API ×2, at least one worker.
    expect(checked.length, checked.join('\n')).toBeGreaterThanOrEqual(8);
  });
});

describe('the Sluice image', () => {
  it('holds the product only: no local environment, tests, benchmarks or Chroma server', async () => {
    const archive = await imageArchive(await devImageSpecs(log));
    const files = await listImageFiles(archive, SLUICE_IMAGE);
    expect(files).toEqual(expect.arrayContaining(['./app/dist/main.js', './app/dist/controller/main.js', './app/dist/api/main.js', './app/dist/worker/main.js']));
    const dist = files.filter((f) => f.startsWith('./app/dist/'));
    expect(dist.filter((f) => /^\.\/app\/dist\/(dev|test|bench)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.includes('devenv') || f.startsWith('./app/dev/'))).toEqual([]);
    // The server's native addon is the dev Chroma image's own layer, which the Chroma pod above ran.
    const addon = (f: string) => f.includes('chromadb-js-bindings');
    expect(files.filter(addon)).toEqual([]);
    expect((await listImageFiles(archive, chromaImageName())).filter(addon)).not.toEqual([]);
  });
});

describe('one image setting', () => {
  it('moves the API and worker pods with the operator when its Deployment gets a second tag', async () => {
    // The same image under a second tag, as a registry would hold a new release.
    const second = `${SLUICE_IMAGE}-second`;
    const { ctr, socket } = inject('containerd');
    await run(ctr, ['--address', socket, '--namespace', 'k8s.io', 'images', 'tag', '--force', SLUICE_IMAGE, second]);
    try {
      await moveTo(second);
    } finally {
      // Back to the manifests' image, settled, before another file's `kubectl apply -k .` would
      // roll everything back under its tests.
      await kubectlOk(['-n', 'sluice-system', 'set', 'image', 'deployment/sluice-operator', `operator=${SLUICE_IMAGE}`]);
      await kubectlOk(['-n', 'sluice-system', 'rollout', 'status', 'deployment/sluice-operator', '--timeout=240s']);
      await eventually('the API and worker Deployments back on the first tag', async () => (await template('docs-api')) === SLUICE_IMAGE && (await template('docs-worker')) === SLUICE_IMAGE, 240_000, 1000);
      for (const d of ['docs-api', 'docs-worker']) await kubectlOk(['-n', NS, 'rollout', 'status', `deployment/${d}`, '--timeout=240s']);
    }
  }, 900_000);
});

const template = (name: string) => kubectlOk(['-n', NS, 'get', 'deployment', name, '-o', 'jsonpath={.spec.template.spec.containers[*].image}']).then((s) => s.trim());

/** Sets `image` on the operator's Deployment only, and waits for the API and workers to follow. */
async function moveTo(second: string): Promise<void> {
  await kubectlOk(['-n', 'sluice-system', 'set', 'image', 'deployment/sluice-operator', `operator=${second}`]);
  await eventually('the API and worker Deployments to run the second tag', async () => (await template('docs-api')) === second && (await template('docs-worker')) === second, 240_000, 1000);
  // The API rolls its two pods and serves throughout; the cluster ends Ready on the new pods.
  await eventually('two Ready API pods of the second tag', async () => {
    const ps = (await pods(NS, 'app.kubernetes.io/instance=docs,app.kubernetes.io/component=api')).filter(ready);
    const images = await Promise.all(ps.map((p) => kubectlOk(['-n', NS, 'get', 'pod', p.metadata.name, '-o', 'jsonpath={.spec.containers[0].image}'])));
    return ps.length === 2 && images.every((i) => i.trim() === second);
  }, 240_000, 1000);
  const [, row] = (await kubectlOk(['-n', NS, 'get', 'ic', 'docs'])).trimEnd().split('\n');
  expect(row).toMatch(/^docs\s+True\s/);
  // The Service's endpoints follow the new pods within moments of the rollout.
  await eventually('search through the Service', async () => (await api(apiBase, 'POST', '/v1/search', { collection: 'handbook', query: 'hotel costs', limit: 1 }).catch(() => ({ status: 0 }))).status === 200, 60_000, 1000);
}
