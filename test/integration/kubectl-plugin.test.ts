// `kubectl sluice` as users run it: kubectl finds kubectl-sluice on PATH, and the plugin reads
// the kubeconfig. The job controller runs against a stand-in for the cluster's API, so the job's
// status moves as the operator writes it; the cluster's status is written by hand.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobController } from '../../src/controller/job/job-controller.ts';
import { createOperator } from '../../src/controller/operator.ts';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { quietLog } from '../support/controller.ts';
import { startFakeClusterApi, type FakeClusterApi } from '../support/fake-cluster-api.ts';
import { getJob, jobManifest, readyCluster } from '../support/job-fixtures.ts';
import { createNamespace, eventually, kubeConfig, kubectl, kubectlOk } from '../support/kube.ts';

const KEY = 'sk_test_operator_key';
let ns: Awaited<ReturnType<typeof createNamespace>>;
let api: FakeClusterApi;
let manager: Manager;
let bin: string;
let uid: string;
const PATH = process.env.PATH;

beforeAll(async () => {
  ns = await createNamespace('plugin');
  api = await startFakeClusterApi(KEY);
  manager = createOperator({ kc: kubeConfig(), log: quietLog([]), namespace: ns.name, httpPort: 0, httpHost: '127.0.0.1', leaderElection: false, controllers: [jobController], clusterApiUrl: api.url });
  await manager.start();
  // kubectl looks for kubectl-<name> on PATH: the plugin as `npm i -g .` links it.
  bin = mkdtempSync(join(tmpdir(), 'sluice-plugin-'));
  symlinkSync(new URL('../../src/cli/kubectl-sluice.ts', import.meta.url).pathname, join(bin, 'kubectl-sluice'));
  // This file's own process: kubectl, and the plugin's `#!/usr/bin/env node`, look here first.
  process.env.PATH = `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
  await readyCluster(ns.name, 'docs', KEY);
  await kubectlOk(['apply', '-n', ns.name, '-f', '-'], jobManifest('handbooks', 'docs'));
  uid = await eventually('the job submitted', async () => {
    const j = await getJob(ns.name, 'handbooks');
    return j?.status?.phase === 'Running' ? j.metadata.uid : undefined;
  });
});
afterAll(async () => {
  process.env.PATH = PATH;
  await manager?.stop();
  await api?.close();
  await ns?.remove();
  if (bin) rmSync(bin, { recursive: true, force: true });
});

/** `kubectl sluice ARGS` with the test's kubeconfig; exit code and output, never a throw. */
const plugin = (args: string[]) => kubectl(['sluice', ...args]);

const moved = (counts: Record<string, number>, rest: Record<string, unknown> = {}) =>
  api.update(uid, { counts: { total: 2, pending: 0, queued: 0, active: 0, succeeded: 0, failed: 0, skipped: 0, ...counts }, ...rest });

describe('kubectl sluice', () => {
  it("status: the job's progress, rate and ETA, and its cluster, as plain lines without a terminal", async () => {
    moved({ active: 1, succeeded: 1 }, { rate: 0.5, etaSeconds: 2 });
    await eventually('status 1/2', async () => (await getJob(ns.name, 'handbooks'))?.status?.progress === '1/2');
    const r = await plugin(['status', 'ij/handbooks', '-n', ns.name]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`ij/handbooks Running 1/2 done failed 0 rate 30 docs/min eta 2s\nic/docs Pending workers -/- ready, - busy; queue - waiting, - active\n`);
    const all = await plugin(['status', '-n', ns.name, '-o', 'json']);
    expect(JSON.parse(all.stdout)).toMatchObject({ jobs: [{ name: 'handbooks', cluster: 'docs', phase: 'Running', total: 2, done: 1, rate: 0.5, etaSeconds: 2 }], clusters: [{ name: 'docs' }] });
  });

  it('failures: the failed documents with their types and messages', async () => {
    moved({ active: 0, succeeded: 1, failed: 1 }, { lastFailures: [{ document: 'd-2', source: 'https://docs.example/b.pdf', errorType: 'Corrupt', message: 'the PDF is damaged: no xref', attempts: 1 }] });
    await eventually('the failure in status', async () => (await getJob(ns.name, 'handbooks'))?.status?.lastFailures?.length === 1);
    const r = await plugin(['failures', 'ij/handbooks', '-n', ns.name]);
    expect(r.stdout).toBe('TYPE\tSOURCE\tMESSAGE\nCorrupt\thttps://docs.example/b.pdf\tthe PDF is damaged: no xref\n');
  });

  it("retry: a new retryNonce, which the operator hands to the cluster's API", async () => {
    const r = await plugin(['retry', 'ij/handbooks', '-n', ns.name]);
    expect(r.code, r.stderr).toBe(0);
    const nonce = /retryNonce (\S+)\)/.exec(r.stdout)?.[1];
    expect(nonce).toBeDefined();
    expect((await getJob(ns.name, 'handbooks'))?.spec.retryNonce).toBe(nonce);
    await eventually('the API told', async () => (api.jobs.get(uid)?.body as { retryNonce?: string } | undefined)?.retryNonce === nonce);
  });

  it('status --watch prints each change and ends when the job finishes', async () => {
    moved({ active: 1, succeeded: 0, failed: 0 }, { lastFailures: [], rate: 0.2, etaSeconds: 9 });
    await eventually('status 0/2', async () => (await getJob(ns.name, 'handbooks'))?.status?.progress === '0/2');
    const watching = plugin(['status', 'ij/handbooks', '-n', ns.name, '--watch', '--interval', '0.2']);
    await new Promise((r) => setTimeout(r, 1500));
    moved({ active: 0, succeeded: 2 }, { state: 'Complete', completionTime: new Date().toISOString() });
    const r = await watching;
    expect(r.code, r.stderr).toBe(0);
    const jobLines = r.stdout.split('\n').filter((l) => l.startsWith('ij/'));
    expect(jobLines[0]).toMatch(/^ij\/handbooks Running 0\/2 done/);
    expect(jobLines.at(-1)).toMatch(/^ij\/handbooks Complete 2\/2 done failed 0 rate - eta -$/);
  });

  it('refuses a command line it cannot run, saying why, with exit 2', async () => {
    const r = await plugin(['retry', 'ic/docs', '-n', ns.name]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected an IngestionJob (ij/NAME), got "ic/docs"');
    const missing = await plugin(['status', 'ij/nope', '-n', ns.name]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);
  });
});
