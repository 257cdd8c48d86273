// The Argo CD resource actions of IngestionJob (suspend, resume, retry), as argocd-cm holds them,
// run by gopher-lua the way Argo CD runs discovery.lua and each action.lua.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureGlua } from '@sluice/devenv/glua';
import { actionsValue, argocdCmData, discoverActions, runAction } from '../support/argocd.ts';

let glua = '';
beforeAll(async () => {
  glua = await ensureGlua();
}, 10 * 60_000);

type Job = { metadata: Record<string, unknown>; spec: Record<string, unknown>; status?: Record<string, unknown> };

/**
 * examples/ingestion-job.yaml as Argo CD sees it live: defaulted by the apiserver, with
 * managedFields (full of empty objects, which Lua cannot tell from empty arrays) and a status.
 */
function job(opts: { suspend?: boolean; retryNonce?: string; failed?: number; conditions?: [string, string][] } = {}): Job {
  const example = parse(readFileSync(new URL('../../examples/ingestion-job.yaml', import.meta.url), 'utf8')) as Job;
  const status = opts.conditions || opts.failed !== undefined;
  return {
    ...example,
    metadata: {
      ...example.metadata,
      namespace: 'docs',
      uid: '6f1c2d9e-0000-4000-8000-000000000001',
      generation: 4,
      resourceVersion: '4242',
      creationTimestamp: '2026-11-29T10:00:00Z',
      labels: { 'app.kubernetes.io/instance': 'docs' },
      annotations: {},
      managedFields: [
        {
          manager: 'argocd-controller',
          operation: 'Apply',
          apiVersion: 'sluice.dev/v1alpha1',
          time: '2026-11-29T10:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:clusterRef': { 'f:name': {} }, 'f:collection': {}, 'f:suspend': {} } },
        },
      ],
    },
    spec: { ...example.spec, suspend: opts.suspend ?? false, priority: 50, ...(opts.retryNonce ? { retryNonce: opts.retryNonce } : {}) },
    ...(status
      ? {
          status: {
            observedGeneration: 4,
            counts: { total: 3, queued: 0, active: 0, succeeded: 3 - (opts.failed ?? 0), failed: opts.failed ?? 0, skipped: 0 },
            conditions: (opts.conditions ?? []).map(([type, s]) => ({ type, status: s, reason: type, message: '', lastTransitionTime: '2026-11-29T10:00:05Z', observedGeneration: 4 })),
          },
        }
      : {}),
  };
}

const running: [string, string][] = [['Complete', 'False'], ['Failed', 'False'], ['Suspended', 'False'], ['ClusterReady', 'True']];
const ICONS = { resume: 'fa fa-fw fa-play', retry: 'fa fa-fw fa-redo', suspend: 'fa fa-fw fa-pause' };

/** Which of suspend, resume, retry Argo CD offers enabled. */
async function enabled(o: Job): Promise<string[]> {
  const actions = await discoverActions(glua, 'IngestionJob', o);
  expect(actions.map((a) => a.name)).toEqual(['resume', 'retry', 'suspend']);
  for (const a of actions) expect(a.iconClass).toBe(ICONS[a.name as keyof typeof ICONS]);
  return actions.filter((a) => !a.disabled).map((a) => a.name);
}

describe('IngestionJob actions offered by Argo CD', () => {
  it.each([
    ['just created, no status yet', job(), ['suspend']],
    ['running', job({ conditions: running }), ['suspend']],
    ['running with failed documents', job({ failed: 1, conditions: running }), ['retry', 'suspend']],
    ['suspended', job({ suspend: true, conditions: [['Suspended', 'True']] }), ['resume']],
    ['suspended with failed documents', job({ suspend: true, failed: 2, conditions: [['Suspended', 'True']] }), ['resume', 'retry']],
    ['suspend asked for, not yet observed', job({ suspend: true }), ['resume']],
    ['failed (deadline exceeded, no document failed)', job({ failed: 0, conditions: [['Failed', 'True'], ['Complete', 'False']] }), ['retry', 'suspend']],
    ['complete', job({ failed: 0, conditions: [['Complete', 'True'], ['Failed', 'False']] }), []],
    ['complete, some documents failed within the budget', job({ failed: 1, conditions: [['Complete', 'True'], ['Failed', 'False']] }), ['retry']],
  ])('%s', async (_name, o, want) => {
    expect(await enabled(o)).toEqual(want);
  });

  it('names retry for what it does', async () => {
    const retry = (await discoverActions(glua, 'IngestionJob', job({ failed: 1 }))).find((a) => a.name === 'retry');
    expect(retry?.displayName).toBe('Retry failed documents');
  });
});

describe('IngestionJob actions as Argo CD runs them', () => {
  it('suspend sets spec.suspend and changes nothing else', async () => {
    const before = job({ conditions: running });
    const after = await runAction(glua, 'IngestionJob', 'suspend', before);
    expect(after).toEqual({ ...before, spec: { ...before.spec, suspend: true } });
  });

  it('resume clears spec.suspend and changes nothing else', async () => {
    const before = job({ suspend: true, conditions: [['Suspended', 'True']] });
    const after = await runAction(glua, 'IngestionJob', 'resume', before);
    expect(after).toEqual({ ...before, spec: { ...before.spec, suspend: false } });
  });

  it('retry sets spec.retryNonce to the time of the request and changes nothing else', async () => {
    for (const previous of [undefined, '7']) {
      const before = job({ failed: 2, retryNonce: previous, conditions: [['Failed', 'True']] });
      const t0 = Math.floor(Date.now() / 1000) * 1000;
      const after = await runAction(glua, 'IngestionJob', 'retry', before);
      const nonce = (after.spec as { retryNonce: string }).retryNonce;
      expect(nonce).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(nonce)).toBeGreaterThanOrEqual(t0);
      expect(Date.parse(nonce)).toBeLessThanOrEqual(Date.now());
      expect(after).toEqual({ ...before, spec: { ...before.spec, retryNonce: nonce } });
    }
  });

  it('retry twice within a second still changes the nonce, which the operator needs to act again', async () => {
    // Start from the nonce this second would give; if the second turns meanwhile, try again.
    for (let attempt = 0; ; attempt++) {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const after = await runAction(glua, 'IngestionJob', 'retry', job({ failed: 1, retryNonce: now }));
      const nonce = (after.spec as { retryNonce: string }).retryNonce;
      expect(nonce).not.toBe(now);
      if (nonce.startsWith(now) || attempt === 3) {
        expect(nonce).toBe(`${now}+1`);
        expect(nonce.length).toBeLessThanOrEqual(63); // the CRD's maxLength
        return;
      }
    }
  });
});

describe('manifests/argocd', () => {
  it('wires the health checks and the actions into argocd-cm under the keys Argo CD reads', () => {
    expect(Object.keys(argocdCmData()).sort()).toEqual([
      'resource.customizations.actions.sluice.dev_IngestionJob',
      'resource.customizations.health.sluice.dev_IngestionCluster',
      'resource.customizations.health.sluice.dev_IngestionJob',
    ]);
  });

  it('offers exactly the actions it defines', async () => {
    const value = parse(argocdCmData()['resource.customizations.actions.sluice.dev_IngestionJob']!) as { definitions: { name: string }[] };
    const discovered = (await discoverActions(glua, 'IngestionJob', job())).map((a) => a.name);
    expect(value.definitions.map((d) => d.name).sort()).toEqual(discovered);
  });

  it('actions/ingestionjob.yaml holds the Lua files of actions/ingestionjob/ (regenerate with `npx vitest run -u test/unit/argocd-actions.test.ts`)', async () => {
    await expect(actionsValue('ingestionjob')).toMatchFileSnapshot('../../manifests/argocd/actions/ingestionjob.yaml');
  });
});
