// Faults on the real node, in a cluster of its own: the worker pod deleted while documents are in
// flight, the worker process killed with SIGKILL inside its container, and the Redis pod deleted
// mid-batch. Documents are multi-page PDFs big enough to be in flight when the fault lands. Every
// accepted document must end terminal; after worker faults each one succeeds with exactly the
// chunks a clean run wrote, counted by the API and in Chroma.
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectlOk } from '../support/kube.ts';
import { prose, textPdf } from '../dataplane/support/pdf-factory.ts';
import { ChromaStore } from '../../src/shared/chroma-store.ts';
import { NODE_DIR } from '@sluice/devenv/node/host';
import { containerPid, installCluster, installSystem, isReady, pods, readyPods, serviceUrl, TERMINAL, type DocumentView, type TestCluster } from './support/system.ts';

const log = (s: string) => console.log(`[faults] ${s}`);
const DOCS = 4; // two in flight (concurrency 2), two queued behind them
const PAGES = 1000; // ~4 s of a worker's time each here: in flight for a while
const WORKER = 'app.kubernetes.io/component=worker';

let cluster: TestCluster;
let chroma: ChromaStore;
const pdfs: Buffer[] = [];
/** Chunks per PDF (by index) from a run without faults. */
const clean: number[] = [];

beforeAll(async () => {
  await installSystem(log);
  cluster = await installCluster('e2e-faults', (spec) => {
    // Small requests so this cluster fits on the node beside the install test's.
    const small = (cpu: string, memory: string, limit: string) => ({ requests: { cpu, memory }, limits: { memory: limit } });
    spec.api = { ...(spec.api as object), replicas: 1, resources: small('100m', '128Mi', '512Mi') };
    spec.workers = { ...(spec.workers as object), replicas: 1, concurrency: 2, resources: small('200m', '256Mi', '2Gi') };
    spec.autoscaling = { mode: 'None' };
  });
  for (let d = 0; d < DOCS; d++) pdfs.push(await textPdf(Array.from({ length: PAGES }, (_, n) => prose(d, n))));
  await cluster.ready();
  chroma = new ChromaStore({ url: await serviceUrl('chroma', 'chroma'), tenant: 'default_tenant', database: 'default_database', token: undefined });
}, 20 * 60_000);
afterAll(async () => cluster?.remove());

/** Uploads every PDF into `collection`; returns the accepted documents' ids in PDF order. */
async function uploadAll(collection: string): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, pdf] of pdfs.entries()) {
    const r = await cluster.api.upload(collection, `doc-${i}.pdf`, pdf);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    ids.push(r.document!.id);
  }
  return ids;
}

async function waitProcessing(ids: readonly string[]): Promise<DocumentView> {
  return eventually('a document in flight', async () => (await Promise.all(ids.map((id) => cluster.api.document(id)))).find((d) => d.state === 'processing'), 120_000, 250);
}

/** Every document succeeded, with the clean run's chunk count in its record and in Chroma. */
async function expectNoLossNoDuplicates(collection: string, docs: DocumentView[]): Promise<void> {
  for (const [i, d] of docs.entries()) {
    expect(d, JSON.stringify(d)).toMatchObject({ state: 'succeeded', pages: PAGES, chunks: clean[i] });
    expect(await chroma.countDocumentChunks(collection, d.id), `chunks of ${d.id} in Chroma`).toBe(clean[i]);
  }
}

describe('faults on a real node', () => {
  it('a clean run fixes the chunk count of each document', async () => {
    const collection = `${cluster.ns}-clean`;
    const t0 = Date.now();
    const docs = await cluster.api.terminal(await uploadAll(collection), 600_000);
    for (const d of docs) {
      expect(d, JSON.stringify(d)).toMatchObject({ state: 'succeeded', pages: PAGES, attempts: 1 });
      expect(d.chunks).toBeGreaterThan(PAGES);
      expect(await chroma.countDocumentChunks(collection, d.id)).toBe(d.chunks);
      clean.push(d.chunks!);
    }
    log(`clean run: ${DOCS} x ${PAGES} pages in ${((Date.now() - t0) / 1000).toFixed(1)} s, chunks ${clean.join(', ')}`);
  }, 900_000);

  it('kubectl delete pod on the worker mid-document: the replacement pod finishes the work, nothing lost or duplicated', async () => {
    expect(clean).toHaveLength(DOCS);
    const collection = `${cluster.ns}-deleted`;
    const [old] = await readyPods(cluster.ns, WORKER, 1);
    const ids = await uploadAll(collection);
    const inFlight = await waitProcessing(ids);
    await kubectlOk(['-n', cluster.ns, 'delete', 'pod', old!.metadata.name, '--wait=false']);
    log(`deleted worker pod ${old!.metadata.name} while ${inFlight.id} was ${inFlight.state}`);

    const docs = await cluster.api.terminal(ids, 600_000);
    await expectNoLossNoDuplicates(collection, docs);
    // The replacement takes documents as soon as its process runs, before its readiness probe
    // first passes: any pod but the old one, not only a Ready one.
    const [replacement] = (await pods(cluster.ns, WORKER)).filter((p) => p.metadata.uid !== old!.metadata.uid && !p.metadata.deletionTimestamp);
    expect(replacement, 'a replacement worker pod').toBeDefined();
    const logs = await kubectlOk(['-n', cluster.ns, 'logs', replacement!.metadata.name]);
    const byReplacement = ids.filter((id) => logs.includes(id));
    expect(byReplacement.length, `documents in ${replacement!.metadata.name}'s log`).toBeGreaterThan(0);
    log(`attempts ${docs.map((d) => d.attempts).join(', ')}; ${byReplacement.length} of ${DOCS} in the replacement's log`);
  }, 900_000);

  it('kill -9 of the worker process inside its container: the document in flight is taken again and finished, nothing lost or duplicated', async () => {
    expect(clean).toHaveLength(DOCS);
    const collection = `${cluster.ns}-killed`;
    const [worker] = await readyPods(cluster.ns, WORKER, 1);
    const restarts = worker!.status.containerStatuses![0]!.restartCount;
    const ids = await uploadAll(collection);
    const inFlight = await waitProcessing(ids);
    // The container's init process as this host sees it: the worker's node process itself.
    const pid = await containerPid(worker!, 'worker');
    process.kill(pid, 'SIGKILL');
    log(`killed pid ${pid} of ${worker!.metadata.name} while ${inFlight.id} was in flight`);

    await eventually('the worker container to restart', async () => {
      const [p] = (await pods(cluster.ns, WORKER)).filter((p) => p.metadata.uid === worker!.metadata.uid);
      return (p?.status.containerStatuses?.[0]?.restartCount ?? 0) > restarts;
    }, 120_000, 1000);
    const docs = await cluster.api.terminal(ids, 600_000);
    await expectNoLossNoDuplicates(collection, docs);
    // The document the killed process held was claimed a second time: the kill landed mid-document.
    expect(docs.find((d) => d.id === inFlight.id)!.attempts).toBeGreaterThanOrEqual(2);
    log(`attempts ${docs.map((d) => d.attempts).join(', ')}`);
  }, 900_000);

  it('the Redis pod deleted mid-batch comes back with its AOF, and every accepted document ends terminal', async () => {
    const collection = `${cluster.ns}-redis`;
    const [before] = await readyPods(cluster.ns, 'app.kubernetes.io/component=redis', 1);
    const password = Buffer.from((await kubectlOk(['-n', cluster.ns, 'get', 'secret', `${cluster.name}-redis-auth`, '-o', 'jsonpath={.data.password}'])).trim(), 'base64').toString();
    const redisUrl = new URL(await serviceUrl(cluster.ns, `${cluster.name}-redis`));
    const connect = () => new Redis({ host: redisUrl.hostname, port: Number(redisUrl.port), password, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    // A marker written through the Service: if it is read back after the restart, the data came from the volume.
    const marker = randomUUID();
    const r1 = connect();
    await r1.connect();
    await r1.set('e2e:marker', marker);
    await r1.quit();

    const ids = await uploadAll(collection);
    await waitProcessing(ids);
    await kubectlOk(['-n', cluster.ns, 'delete', 'pod', before!.metadata.name, '--wait=false']);
    const open = (await Promise.all(ids.map((id) => cluster.api.document(id)))).filter((d) => !TERMINAL.includes(d.state));
    log(`deleted ${before!.metadata.name} with ${open.map((d) => d.state).join(', ')} of ${DOCS} documents open`);
    expect(open.length, 'documents still open when Redis went').toBeGreaterThan(0);
    // Uploads go on while Redis is away or starting: PostgreSQL holds them and the sweeper enqueues.
    const late: string[] = [];
    for (let d = 0; d < 2; d++) {
      const r = await cluster.api.upload(collection, `late-${d}.pdf`, await textPdf(Array.from({ length: 20 }, (_, n) => prose(100 + d, n))));
      log(`upload while Redis restarts: ${r.status}`);
      if (r.status === 202) late.push(r.document!.id);
      else expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(500);
    }

    // The replacement: Ready and another pod (the deleted one may still be listed Ready while it
    // terminates), then reachable through the Service once its endpoints follow.
    await eventually('a new Ready Redis pod', async () => {
      const ready = (await pods(cluster.ns, 'app.kubernetes.io/component=redis')).filter(isReady);
      return ready.length === 1 && ready[0]!.metadata.uid !== before!.metadata.uid;
    }, 180_000, 1000);
    const read = await eventually('the marker read back through the Service', async () => {
      const r2 = connect();
      r2.on('error', () => undefined);
      try {
        await r2.connect();
        return (await r2.get('e2e:marker')) ?? 'missing';
      } catch {
        return undefined;
      } finally {
        r2.disconnect();
      }
    }, 60_000, 1000);
    expect(read, 'the marker written before the delete').toBe(marker);
    // The AOF is on the hostPath volume the StatefulSet's claim bound to, not in the pod.
    const pv = (await kubectlOk(['-n', cluster.ns, 'get', 'pvc', `data-${before!.metadata.name}`, '-o', 'jsonpath={.spec.volumeName}'])).trim();
    const path = (await kubectlOk(['get', 'pv', pv, '-o', 'jsonpath={.spec.hostPath.path}'])).trim();
    expect(path.startsWith(NODE_DIR), path).toBe(true);
    expect(readdirSync(join(path, 'appendonlydir')).some((f) => f.endsWith('.aof')), `AOF files in ${path}`).toBe(true);

    const docs = await cluster.api.terminal([...ids, ...late], 600_000);
    for (const d of docs) {
      expect(['succeeded', 'failed'], JSON.stringify(d)).toContain(d.state);
      if (d.state === 'failed') expect(d.error?.type, JSON.stringify(d)).toMatch(/^[A-Z][A-Za-z]+$/);
      if (d.state === 'succeeded' && ids.includes(d.id)) expect(await chroma.countDocumentChunks(collection, d.id)).toBe(clean[ids.indexOf(d.id)]);
    }
    log(`after the Redis restart: ${docs.map((d) => `${d.state}${d.error ? `(${d.error.type})` : ''}/${d.attempts}`).join(', ')}`);
  }, 900_000);
});
