// An IngestionJob run for real: the operator (job controller) drives the data plane's API in this
// process, a worker fetches the documents from a web server on loopback, parses, chunks, embeds
// them into Chroma and records them in PostgreSQL; `kubectl wait --for=condition=Complete` returns
// and status shows what happened, including the document that could not be fetched.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { jobController } from '../../src/controller/job/job-controller.ts';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { createOperator } from '../../src/controller/operator.ts';
import { listen } from '../../src/shared/ops-server.ts';
import { quietLog } from '../support/controller.ts';
import { startJobDataPlane, type JobDataPlane } from '../support/job-data-plane.ts';
import { condition, getJob, readyCluster } from '../support/job-fixtures.ts';
import { createNamespace, eventually, kubeConfig, kubectl, kubectlOk } from '../support/kube.ts';

const KEY = `sk_${'cd'.repeat(32)}`;
const PDF = readFileSync(new URL('../../examples/employee-handbook.pdf', import.meta.url));
let ns: Awaited<ReturnType<typeof createNamespace>>;
let dataPlane: JobDataPlane;
let files: Server;
let filesUrl: string;
let manager: Manager;

beforeAll(async () => {
  ns = await createNamespace('ijrun');
  files = createServer((req, res) => (req.url === '/handbook.pdf' ? res.writeHead(200, { 'content-type': 'application/pdf' }).end(PDF) : res.writeHead(404).end()));
  filesUrl = `http://127.0.0.1:${await listen(files, 0, '127.0.0.1')}`;
  dataPlane = await startJobDataPlane(KEY, { worker: true });
  manager = createOperator({ kc: kubeConfig(), log: quietLog(), namespace: ns.name, httpPort: 0, httpHost: '127.0.0.1', leaderElection: false, controllers: [jobController], clusterApiUrl: dataPlane.base });
  await manager.start();
  await readyCluster(ns.name, 'docs', KEY);
}, 180_000);
afterAll(async () => {
  await manager?.stop();
  await dataPlane?.stop();
  await new Promise<void>((r) => (files ? files.close(() => r()) : r()));
  await ns?.remove();
});

describe('an IngestionJob, end to end', () => {
  it('ingests its documents and completes, with counts, chunks and the failure in status', async () => {
    await kubectlOk(
      ['apply', '-n', ns.name, '-f', '-'],
      `apiVersion: sluice.dev/v1alpha1
kind: IngestionJob
metadata: { name: handbooks }
spec:
  clusterRef: { name: docs }
  collection: handbooks
  sources:
    inline:
      - { uri: "${filesUrl}/handbook.pdf", metadata: { department: hr } }
      - { uri: "${filesUrl}/missing.pdf" }
`,
    );
    const wait = await kubectl(['wait', '--for=condition=Complete', 'ij/handbooks', '-n', ns.name, '--timeout=90s']);
    const j = (await getJob(ns.name, 'handbooks'))!;
    expect(wait.code, `${wait.stderr}\n${JSON.stringify(j.status, null, 2)}`).toBe(0);
    expect(j.status).toMatchObject({ phase: 'Complete', progress: '2/2', counts: { total: 2, queued: 0, active: 0, succeeded: 1, failed: 1, skipped: 0 } });
    expect(j.status?.pages).toBe(3);
    expect(j.status?.chunks).toBeGreaterThan(0);
    expect(j.status?.startTime).toBeDefined();
    expect(j.status?.completionTime).toBeDefined();
    expect(j.status?.lastFailures).toEqual([expect.objectContaining({ source: `${filesUrl}/missing.pdf`, errorType: 'FetchFailed' })]);
    expect(condition(j, 'SuccessCriteriaMet')?.status).toBe('True');
    // Events follow the status write that made the condition true.
    const reasons = async () => (await kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: ns.name, fieldSelector: 'involvedObject.name=handbooks' })).items.map((e) => e.reason);
    await eventually('Started and Completed Events', async () => {
      const r = await reasons();
      return r.includes('Started') && r.includes('Completed');
    });
  });
});
