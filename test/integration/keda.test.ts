// KEDA mode on the real control plane, with KEDA's own CRDs (from its Go module, dev/src/keda-crds.ts):
// - the operator starts, and is ready, before KEDA's CRDs exist, and takes up the kinds once they do;
// - the ScaledObject and TriggerAuthentication it renders are accepted whole by KEDA's schema
//   (server-side apply refuses a field KEDA's CRD does not declare; every field sent must be live);
// - Builtin → KEDA → None hands the worker Deployment's replicas over without a fight, checked on
//   the field managers, and the KEDA objects exist in KEDA mode only.
// The operator runs with only its ClusterRole's rules, so the keda.sh rules are tested too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../src/crd/ingestion-cluster.ts';
import { Applier, isSubset } from '../../src/controller/runtime/apply.ts';
import { buildReplicasHandover, HANDOVER_FIELD_MANAGER } from '../../src/controller/builders/replicas-handover.ts';
import { buildScaledObject } from '../../src/controller/builders/scaled-object.ts';
import { buildTriggerAuthentication } from '../../src/controller/builders/trigger-authentication.ts';
import { buildWorkerDeployment } from '../../src/controller/builders/worker.ts';
import { FIELD_MANAGER } from '../../src/controller/constants.ts';
import { httpStatus } from '../../src/controller/runtime/errors.ts';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { ensureKedaCrds } from '@sluice/devenv/keda-crds';
import { clusterManifest, pgSecret, quietLog, startController } from '../support/controller.ts';
import { createNamespace, eventually, kubeConfig, kubectl, kubectlOk } from '../support/kube.ts';
import { operatorRoleIn } from '../support/rbac.ts';

const kc = kubeConfig();
const apps = kc.makeApiClient(AppsV1Api);
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const CRDS = ['scaledobjects.keda.sh', 'triggerauthentications.keda.sh'];
const HPA = 'keda-hpa-simulator';

let ns: Awaited<ReturnType<typeof createNamespace>>;
let rbac: Awaited<ReturnType<typeof operatorRoleIn>>;
let manager: Manager;
const lines: string[] = [];

beforeAll(async () => {
  ns = await createNamespace('keda');
  rbac = await operatorRoleIn(ns.name, `sluice-operator-${ns.name}`);
});
afterAll(async () => {
  await manager?.stop();
  await rbac?.remove();
  await ns?.remove();
});

const apply = (yaml: string) => kubectlOk(['apply', '-n', ns.name, '-f', '-'], yaml);
const getCluster = async (name: string, namespace = ns.name) =>
  (await custom.getNamespacedCustomObject({ group: 'sluice.dev', version: 'v1alpha1', plural: 'ingestionclusters', namespace, name })) as IngestionCluster;
const getKeda = (plural: 'scaledobjects' | 'triggerauthentications', name: string) =>
  custom.getNamespacedCustomObject({ group: 'keda.sh', version: 'v1alpha1', plural, namespace: ns.name, name }).then(
    (o) => o as KubernetesObject,
    () => undefined,
  );
const worker = (name: string) => apps.readNamespacedDeployment({ namespace: ns.name, name: `${name}-worker` });
const reconciles = async () => (await manager.metrics.reconciles.get()).values.reduce((a, v) => a + v.value, 0);

/** Whether `manager`'s entry on the Deployment (one of its operations) holds spec.replicas. */
function ownsReplicas(d: V1Deployment, manager: string, operation: 'Apply' | 'Update'): boolean {
  return (d.metadata?.managedFields ?? []).some((e) => e.manager === manager && e.operation === operation && Boolean((e.fieldsV1 as { 'f:spec'?: { 'f:replicas'?: unknown } } | undefined)?.['f:spec']?.['f:replicas']));
}

/** What KEDA's HPA does: an update of the Deployment's /scale, retried after a conflict as the HPA's next sync would. */
async function hpaScales(name: string, replicas: number, namespace = ns.name) {
  await eventually(`${name} scaled to ${replicas} by the HPA`, async () => {
    const scale = await apps.readNamespacedDeploymentScale({ namespace, name });
    try {
      return await apps.replaceNamespacedDeploymentScale({ namespace, name, fieldManager: HPA, body: { ...scale, spec: { replicas } } });
    } catch (err) {
      if (httpStatus(err) === 409) return undefined;
      throw err;
    }
  });
}

/** Has the operator reconcile `name` a few times (an annotation triggers one without a spec change). */
async function reconcileAFewTimes(name: string) {
  for (let i = 0; i < 3; i++) {
    const before = await reconciles();
    await kubectlOk(['annotate', 'ic', name, '-n', ns.name, `touched=${Date.now()}`, '--overwrite']);
    await eventually('a reconcile', async () => (await reconciles()) > before);
  }
  await new Promise((r) => setTimeout(r, 1000));
}

describe('KEDA mode', () => {
  it("the operator starts and is ready without KEDA's CRDs, watching for them", async () => {
    // The control plane is new each run; nothing here may have installed KEDA yet.
    for (const crd of CRDS) expect((await kubectl(['get', 'crd', crd])).stderr).toMatch(/NotFound/);
    manager = await startController(ns.name, rbac.kc, quietLog(lines));
    await eventually('the operator ready', async () => manager.ready || undefined);
    const readyz = await fetch(`http://127.0.0.1:${manager.httpPort}/readyz`);
    expect(readyz.status).toBe(200);
    const logged = lines.map((l) => JSON.parse(l) as { level: string; m: string; resource?: string });
    expect(logged.filter((l) => l.resource === 'scaledobjects').map((l) => [l.level, l.m])).toEqual([
      ['info', 'resource not served (its CRD is not installed); looking again periodically'],
    ]);
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('a KEDA-mode cluster without KEDA installed says so in Degraded', async () => {
    await apply(pgSecret('early'));
    await apply(clusterManifest('early', '  autoscaling: { mode: KEDA }'));
    const degraded = await eventually('Degraded', async () => {
      const c = await getCluster('early');
      const d = c.status?.conditions?.find((x) => x.type === 'Degraded');
      return d?.status === 'True' ? d : undefined;
    });
    expect(degraded.reason).toBe('ApplyFailed');
    // Each KEDA object says so, and nothing that changes per request (so no status rewrite loop).
    expect(degraded.message.split('; ').sort()).toEqual(
      ['ScaledObject', 'TriggerAuthentication'].map((k) => `apply ${k} early-worker: keda.sh/v1alpha1 ${k} is not served by the apiserver (its CRD is not installed)`),
    );
  });

  it("installs KEDA's CRDs, and the running operator starts watching their kinds", async () => {
    const paths = await ensureKedaCrds();
    await kubectlOk(['apply', '--server-side', '--field-manager=keda-test', '-f', paths.scaledObjects, '-f', paths.triggerAuthentications]);
    await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', ...CRDS.map((c) => `crd/${c}`)]);
    await eventually(
      'the informers of ScaledObjects and TriggerAuthentications watching',
      async () => {
        const up = (await manager.metrics.informerUp.get()).values;
        return ['scaledobjects', 'triggerauthentications'].every((r) => up.find((v) => v.labels.resource === r)?.value === 1) || undefined;
      },
      60_000,
    );
    // The cluster that found no KEDA gets its objects on a retry, and recovers.
    await eventually('the early ScaledObject', () => getKeda('scaledobjects', 'early-worker'), 90_000, 500);
    await eventually('early no longer Degraded', async () => (await getCluster('early')).status?.conditions?.find((x) => x.type === 'Degraded')?.status === 'False' || undefined, 30_000);
  });

  it("KEDA's schema accepts the rendered ScaledObject and TriggerAuthentication whole (server-side apply, as the operator does)", async () => {
    await apply(pgSecret('schema'));
    const spec = `  suspend: true
  workers: { replicas: 2 }
  autoscaling:
    mode: KEDA
    minReplicas: 1
    maxReplicas: 30
    targetDepthPerWorker: 8
    activationDepth: 2
    pollingIntervalSeconds: 10
    cooldownSeconds: 120
    scaleUp: { stabilizationWindowSeconds: 5, selectPolicy: Min, policies: [{ type: Pods, value: 2, periodSeconds: 30 }] }
    scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: Percent, value: 50, periodSeconds: 60 }, { type: Pods, value: 1, periodSeconds: 60 }] }
    fallback: { failureThreshold: 4, replicas: 2 }`;
    // Suspended: the operator itself holds this cluster still; its objects are applied here.
    await apply(clusterManifest('schema', spec));
    const cluster = await getCluster('schema');
    const applier = new Applier(kc);
    for (const c of [{ ...cluster, spec: { ...cluster.spec, suspend: false } }, cluster]) {
      for (const desired of [buildTriggerAuthentication(c), buildScaledObject(c)]) {
        const live = await applier.apply(desired);
        // Accepted is not enough: every field sent must also be live, as sent.
        const { apiVersion: _v, kind: _k, ...fields } = desired;
        expect(isSubset(fields, live), `${desired.kind} as applied: ${JSON.stringify(live)}`).toBe(true);
      }
    }
  });

  it("schema drift fails: a field KEDA's CRD does not declare, or of another type, is refused", async () => {
    const cluster = await getCluster('schema');
    const applier = new Applier(kc);
    const so = buildScaledObject(cluster);
    const renamed = { ...so, metadata: { name: 'drift', namespace: ns.name }, spec: { ...so.spec, minReplicas: 3 } };
    await expect(applier.apply(renamed)).rejects.toThrow(/\.spec\.minReplicas: field not declared in schema/);
    const numeric = { ...so, metadata: { name: 'drift', namespace: ns.name }, spec: { ...so.spec, triggers: [{ ...so.spec.triggers[0]!, metadata: { ...so.spec.triggers[0]!.metadata, targetValue: 5 } }] } };
    await expect(applier.apply(numeric)).rejects.toThrow(/targetValue/);
  });

  it('Builtin → KEDA → None: the operator owns the worker replicas except in KEDA mode, never fights the HPA, and takes them back without a conflict', async () => {
    const applyErrors = async () => (await manager.metrics.errors.get()).values.find((v) => v.labels.error === 'ApplyError')?.value ?? 0;
    const applyErrorsBefore = await applyErrors();
    await apply(pgSecret('hand'));
    await apply(clusterManifest('hand', '  workers: { replicas: 3 }'));

    // Builtin (the default): the operator holds spec.replicas; no KEDA objects.
    const builtin = await eventually('the worker Deployment at 3', async () => {
      const d = await worker('hand').catch(() => undefined);
      return d?.spec?.replicas === 3 ? d : undefined;
    });
    expect(ownsReplicas(builtin, FIELD_MANAGER, 'Apply')).toBe(true);
    expect(await getKeda('scaledobjects', 'hand-worker')).toBeUndefined();

    // KEDA: the ScaledObject appears and the operator's field set no longer has spec.replicas.
    await apply(clusterManifest('hand', '  workers: { replicas: 3 }\n  autoscaling: { mode: KEDA }'));
    const so = await eventually('the ScaledObject', () => getKeda('scaledobjects', 'hand-worker'));
    expect(so.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'IngestionCluster', name: 'hand', controller: true })]);
    expect(await getKeda('triggerauthentications', 'hand-worker')).toBeDefined();
    await eventually('the operator giving up spec.replicas', async () => !ownsReplicas(await worker('hand'), FIELD_MANAGER, 'Apply') || undefined);
    // Handed over, not dropped: the Deployment keeps its count until the HPA scales.
    expect((await worker('hand')).spec?.replicas).toBe(3);

    // KEDA's HPA scales through the /scale subresource under its own manager.
    await hpaScales('hand-worker', 7);
    await reconcileAFewTimes('hand');
    const underKeda = await worker('hand');
    expect(underKeda.spec?.replicas).toBe(7);
    expect(ownsReplicas(underKeda, FIELD_MANAGER, 'Apply')).toBe(false);

    // None: the operator takes spec.replicas back (its apply forces), and the KEDA objects go.
    await apply(clusterManifest('hand', '  workers: { replicas: 3 }\n  autoscaling: { mode: None }'));
    const none = await eventually('the worker Deployment back at 3', async () => {
      const d = await worker('hand');
      return d.spec?.replicas === 3 ? d : undefined;
    });
    expect(ownsReplicas(none, FIELD_MANAGER, 'Apply')).toBe(true);
    await eventually('the ScaledObject and TriggerAuthentication pruned', async () =>
      (await getKeda('scaledobjects', 'hand-worker')) === undefined && (await getKeda('triggerauthentications', 'hand-worker')) === undefined ? true : undefined,
    );
    const pruned = (await core.listNamespacedEvent({ namespace: ns.name, fieldSelector: 'involvedObject.name=hand' })).items.filter((e) => e.reason === 'Pruned');
    expect(pruned.map((e) => e.message).sort()).toEqual(['Deleted ScaledObject hand-worker: the spec no longer asks for it.', 'Deleted TriggerAuthentication hand-worker: the spec no longer asks for it.']);
    const c = await eventually('the cluster reconciled', async () => {
      const x = await getCluster('hand');
      return x.status?.observedGeneration === x.metadata.generation ? x : undefined;
    });
    expect(c.status?.conditions?.find((x) => x.type === 'Degraded')?.status).toBe('False');
    expect(await applyErrors()).toBe(applyErrorsBefore);
    // The one error allowed: a list answered 429 "storage is (re)initializing" by the apiserver
    // just after KEDA's CRDs were installed (install-crds.ts), which the informer retries.
    // And the reconciles of the cluster that met no KEDA, above.
    const errors = lines.filter((l) => /"level":"error"/.test(l) && !/storage is \(re\)initializing/.test(l) && !/reconcile failed.*\/early"/.test(l));
    expect(errors).toEqual([]);
    expect(lines.filter((l) => /cannot (get|list|watch|create|patch|update|delete)/.test(l))).toEqual([]);
  });

  it('the replicas handover: held under a manager of its own, the count survives the operator letting go, until the HPA takes it', async () => {
    // A namespace no operator watches: each step the reconciler takes is taken here by hand.
    const other = await createNamespace('keda-handover');
    try {
      const applyIn = (yaml: string) => kubectlOk(['apply', '-n', other.name, '-f', '-'], yaml);
      const applier = new Applier(kc);
      const ctx = { image: 'example.com/sluice:test' };
      const read = (name: string) => apps.readNamespacedDeployment({ namespace: other.name, name: `${name}-worker` });
      const switched = async (name: string) => {
        await applyIn(pgSecret(name));
        await applyIn(clusterManifest(name, '  workers: { replicas: 4 }\n  autoscaling: { mode: None }'));
        const none = await getCluster(name, other.name);
        expect((await applier.apply(buildWorkerDeployment(none, ctx))).spec?.replicas).toBe(4);
        return { none, keda: { ...none, spec: { ...none.spec, autoscaling: { ...none.spec.autoscaling, mode: 'KEDA' as const } } } };
      };

      // Without the handover, letting go of the field drops it, and the Deployment defaults to 1.
      const lose = await switched('lose');
      expect((await applier.apply(buildWorkerDeployment(lose.keda, ctx), await read('lose'))).spec?.replicas).toBe(1);

      const keep = await switched('keep');
      const handover = buildReplicasHandover(keep.keda, await read('keep'));
      expect(handover).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'keep-worker', namespace: other.name }, spec: { replicas: 4 } });
      expect(await applier.applyAs(HANDOVER_FIELD_MANAGER, handover!)).toBe(true);
      const kept = await applier.apply(buildWorkerDeployment(keep.keda, ctx), await read('keep'));
      expect(kept.spec?.replicas).toBe(4);
      expect(ownsReplicas(kept, FIELD_MANAGER, 'Apply')).toBe(false);
      expect(ownsReplicas(kept, HANDOVER_FIELD_MANAGER, 'Apply')).toBe(true);
      // Once: the operator no longer owns the field.
      expect(buildReplicasHandover(keep.keda, kept)).toBeUndefined();

      // The HPA's first scale takes the field from the handover manager.
      await hpaScales('keep-worker', 6, other.name);
      const scaled = await read('keep');
      expect(scaled.spec?.replicas).toBe(6);
      expect(ownsReplicas(scaled, HANDOVER_FIELD_MANAGER, 'Apply')).toBe(false);
      // The operator, back in None mode, takes it again; its apply forces, so no conflict.
      const back = await applier.apply(buildWorkerDeployment(keep.none, ctx), scaled);
      expect(back.spec?.replicas).toBe(4);
      expect(ownsReplicas(back, FIELD_MANAGER, 'Apply')).toBe(true);
    } finally {
      await other.remove();
    }
  });
});
