// What the e2e tests beyond the install test share: Sluice installed on the node the way a user
// installs it (the steps of install.test.ts's set-up, which are idempotent, so files that run
// together apply the same objects), then one IngestionCluster per test file in its own namespace
// with its own database on the dev PostgreSQL, and the pod, API and container helpers they use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { parseAllDocuments } from 'yaml';
import { inject } from 'vitest';
import { createNamespace, eventually, kubectl, kubectlOk } from '../../support/kube.ts';
import { REPO } from '@sluice/devenv/images/app-build';
import { importDevImages } from '@sluice/devenv/images/dev-images';
import { run } from '@sluice/devenv/run';
import { installBase } from '@sluice/devenv/start/install';

export const KEY = 'dev-key'; // examples/secrets.yaml holds its sha256
export const REDIS_IMAGE = 'sluice.local/redis:7.0.15'; // as manifests/dev/examples patches it in

export interface Pod {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { containers: { name: string }[] };
  status: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; containerID?: string; ready: boolean; restartCount: number }[];
  };
}

export const isReady = (p: Pod) =>
  p.metadata.deletionTimestamp === undefined && p.status.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

export async function pods(ns: string, selector?: string): Promise<Pod[]> {
  return (JSON.parse(await kubectlOk(['-n', ns, 'get', 'pods', '-o', 'json', ...(selector ? ['-l', selector] : [])])) as { items: Pod[] }).items;
}

/** Waits for `count` Ready pods matching `selector`; on timeout the error lists every pod's state. */
export async function readyPods(ns: string, selector: string, count: number, timeoutMs = 240_000): Promise<Pod[]> {
  try {
    return await eventually(`${count} Ready pods ${selector} in ${ns}`, async () => {
      const ps = (await pods(ns, selector)).filter(isReady);
      return ps.length === count && ps;
    }, timeoutMs, 1000);
  } catch (e) {
    const all = await kubectl(['get', 'pods', '-A', '-o', 'wide']);
    const events = await kubectl(['-n', ns, 'get', 'events', '--sort-by=.lastTimestamp']);
    throw new Error(`${(e as Error).message}\n${all.stdout}\n${events.stdout.split('\n').slice(-25).join('\n')}`, { cause: e });
  }
}

/** Images, the node's volumes, the dev stores and Sluice itself (`kubectl apply -k .`). */
export async function installSystem(log: (s: string) => void): Promise<void> {
  const t0 = Date.now();
  await importDevImages(inject('containerd'), log);
  await installBase(kubectlOk, REPO);
  log(`system applied in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export async function serviceUrl(ns: string, name: string): Promise<string> {
  const svc = JSON.parse(await kubectlOk(['-n', ns, 'get', 'service', name, '-o', 'json'])) as { spec: { clusterIP: string; ports: { port: number }[] } };
  return `http://${svc.spec.clusterIP}:${svc.spec.ports[0]!.port}`;
}

/** The dev PostgreSQL from the host, through its ClusterIP (trust authentication, user sluice). */
export async function devPostgres(database = 'sluice'): Promise<pg.Client> {
  const url = new URL(await serviceUrl('db', 'postgres'));
  const client = new pg.Client({ host: url.hostname, port: Number(url.port), user: 'sluice', database });
  await client.connect();
  return client;
}

export interface TestCluster {
  ns: string;
  name: string;
  /** The API Service's ClusterIP URL, once `ready()` has returned. */
  api: Api;
  ready(): Promise<void>;
  remove(): Promise<void>;
}

/**
 * The example IngestionCluster (examples/ingestion-cluster.yaml) in a new restricted namespace,
 * with the Redis image built here, its own database, and `patch` merged over its spec.
 */
export async function installCluster(prefix: string, patch: (spec: Record<string, unknown>) => void): Promise<TestCluster> {
  const ns = await createNamespace(prefix, { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
  await eventually('the default ServiceAccount', async () => (await kubectl(['-n', ns.name, 'get', 'serviceaccount', 'default'])).code === 0, 30_000, 500);
  // Its own database: clusters sharing one would sweep and process each other's documents.
  const db = ns.name.replace(/-/g, '_');
  const admin = await eventually('the dev PostgreSQL', () => devPostgres(), 240_000, 1000);
  try {
    await admin.query(`CREATE DATABASE ${db}`);
  } finally {
    await admin.end();
  }
  const docs = parseAllDocuments(readFileSync(join(REPO, 'examples/secrets.yaml'), 'utf8')).map((d) => d.toJS() as { metadata: { name: string }; stringData: Record<string, string> });
  for (const s of docs) if (s.metadata.name === 'docs-postgres') s.stringData.uri = `postgres://sluice@postgres.db.svc:5432/${db}`;
  const ic = parseAllDocuments(readFileSync(join(REPO, 'examples/ingestion-cluster.yaml'), 'utf8'))[0]!.toJS() as { metadata: { name: string }; spec: Record<string, unknown> };
  (ic.spec.redis as Record<string, unknown>).image = REDIS_IMAGE;
  patch(ic.spec);
  // Several test clusters share the node's 2 CPUs with the install's: CPU requests small enough
  // that each schedules (the example asks 1.5 CPUs for one cluster), whatever the test's patch.
  for (const part of ['api', 'workers'] as const) {
    const r = ((ic.spec[part] as Record<string, unknown>).resources ?? {}) as { requests?: Record<string, string> };
    r.requests = { ...r.requests, cpu: '20m' };
    (ic.spec[part] as Record<string, unknown>).resources = r;
  }
  await kubectlOk(['-n', ns.name, 'apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...docs, ic] }));
  const api = new Api();
  return {
    ns: ns.name,
    name: ic.metadata.name,
    api,
    async ready() {
      await eventually(`IngestionCluster ${ns.name}/${ic.metadata.name} Ready`, async () => {
        const s = (await kubectlOk(['-n', ns.name, 'get', 'ic', ic.metadata.name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).trim();
        return s === 'True';
      }, 300_000, 1000).catch(async (e: unknown) => {
        const all = await kubectl(['-n', ns.name, 'get', 'pods,ic', '-o', 'wide']);
        throw new Error(`${(e as Error).message}\n${all.stdout}`, { cause: e });
      });
      api.base = await serviceUrl(ns.name, `${ic.metadata.name}-api`);
    },
    async remove() {
      await ns.remove();
    },
  };
}

export interface DocumentView {
  id: string;
  collection: string;
  state: string;
  attempts: number;
  pages: number | null;
  chunks: number | null;
  error: { type: string; message: string } | null;
}

export const TERMINAL = ['succeeded', 'failed', 'skipped'];

/** The cluster's API through its Service, with the examples' key. */
export class Api {
  base = '';

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Uploads a PDF; returns the API's status and document (202 when accepted). */
  async upload(collection: string, filename: string, pdf: Buffer): Promise<{ status: number; document?: DocumentView; body: unknown }> {
    const form = new FormData();
    form.append('collection', collection);
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), filename);
    const res = await fetch(`${this.base}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form, signal: AbortSignal.timeout(120_000) });
    const body = (await res.json()) as { document?: DocumentView };
    return { status: res.status, body, ...(body.document ? { document: body.document } : {}) };
  }

  async document(id: string): Promise<DocumentView> {
    const { status, body } = await this.request('GET', `/v1/documents/${id}`);
    if (status !== 200) throw new Error(`GET /v1/documents/${id}: ${status} ${JSON.stringify(body)}`);
    return body.document as DocumentView;
  }

  /** Waits until every document in `ids` is terminal; on timeout names those that are not. */
  async terminal(ids: readonly string[], timeoutMs: number): Promise<DocumentView[]> {
    let last: DocumentView[] = [];
    try {
      return await eventually(`${ids.length} documents to end`, async () => {
        last = await Promise.all(ids.map((id) => this.document(id)));
        return last.every((d) => TERMINAL.includes(d.state)) && last;
      }, timeoutMs, 2000);
    } catch (e) {
      const open = last.filter((d) => !TERMINAL.includes(d.state)).map((d) => `${d.id} ${d.state} (attempts ${d.attempts})`);
      throw new Error(`${(e as Error).message}; not terminal: ${open.join(', ')}`, { cause: e });
    }
  }
}

/** Running containers by container id → their init process's PID on this host (ctr tasks ls). */
export async function containerTasks(): Promise<Map<string, number>> {
  const c = inject('containerd');
  const tasks = new Map<string, number>();
  for (const line of (await run(c.ctr, ['--address', c.socket, '--namespace', 'k8s.io', 'tasks', 'ls'])).stdout.split('\n').slice(1)) {
    const [task, pid, status] = line.trim().split(/\s+/);
    if (task && status === 'RUNNING') tasks.set(task, Number(pid));
  }
  return tasks;
}

/** The host PID of a pod's container's init process. */
export async function containerPid(pod: Pod, container: string): Promise<number> {
  const id = pod.status.containerStatuses?.find((c) => c.name === container)?.containerID?.replace('containerd://', '');
  const pid = id === undefined ? undefined : (await containerTasks()).get(id);
  if (pid === undefined) throw new Error(`${pod.metadata.namespace}/${pod.metadata.name}/${container} has no running task`);
  return pid;
}
