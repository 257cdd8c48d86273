// The job controller's writes on the real apiserver: the finalizer and status JSON patches are
// guarded by resourceVersion, so a write based on a stale read is a typed conflict (a quick
// requeue), and a status write replaces the whole status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinalizerConflictError, StatusConflictError } from '../../src/controller/runtime/errors.ts';
import { JOB_FINALIZER, jobWriter } from '../../src/controller/job/job-writer.ts';
import { getJob, jobManifest } from '../support/job-fixtures.ts';
import { createNamespace, kubeConfig, kubectlOk } from '../support/kube.ts';

let ns: Awaited<ReturnType<typeof createNamespace>>;
const writer = jobWriter(kubeConfig());
beforeAll(async () => {
  ns = await createNamespace('ijw');
  await kubectlOk(['apply', '-n', ns.name, '-f', '-'], jobManifest('w', 'docs'));
});
afterAll(async () => ns?.remove());

const fresh = async () => (await getJob(ns.name, 'w'))!;

describe('job writes', () => {
  it('adds and removes the finalizer, and refuses to do so from a stale read', async () => {
    const stale = await fresh();
    await writer.addFinalizer(stale);
    expect((await fresh()).metadata.finalizers).toEqual([JOB_FINALIZER]);
    await expect(writer.removeFinalizer({ ...stale, metadata: { ...stale.metadata, finalizers: [JOB_FINALIZER] } })).rejects.toBeInstanceOf(FinalizerConflictError);
    await writer.removeFinalizer(await fresh());
    expect((await fresh()).metadata.finalizers ?? []).toEqual([]);
  });

  it('replaces the status, leaving no field of the previous one', async () => {
    await writer.writeStatus(await fresh(), { phase: 'Running', progress: '1/2', rate: 0.5, etaSeconds: 2 });
    expect((await fresh()).status).toEqual({ phase: 'Running', progress: '1/2', rate: 0.5, etaSeconds: 2 });
    await writer.writeStatus(await fresh(), { phase: 'Complete', progress: '2/2' });
    expect((await fresh()).status).toEqual({ phase: 'Complete', progress: '2/2' });
  });

  it('refuses a status write from a stale read', async () => {
    const stale = await fresh();
    await writer.writeStatus(stale, { phase: 'Running' });
    await expect(writer.writeStatus(stale, { phase: 'Failed' })).rejects.toBeInstanceOf(StatusConflictError);
    expect((await fresh()).status?.phase).toBe('Running');
  });
});

describe('an invalid status', () => {
  it('is a write error naming the field, not a conflict', async () => {
    const err = await writer.writeStatus(await fresh(), { phase: 'Bogus' as never }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(StatusConflictError);
    expect((err as Error).name).toBe('WriteError');
    expect((err as Error).message).toMatch(/status\.phase/);
  });
});
