// The IngestionCluster controller: For(IngestionCluster).Owns(every child kind).
import { randomBytes } from 'node:crypto';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { errorFields } from '../../shared/logger.ts';
import { CREDENTIALS_KEY_BYTES } from '../../shared/jobs/credential-sealer.ts';
import { Applier } from '../runtime/apply.ts';
import { ClusterApiUnavailable } from '../cluster-api/cluster-api.ts';
import { clusterApis } from '../cluster-api/cluster-api-clients.ts';
import { reconcileCluster, type ClusterReconcilerDeps } from './cluster-reconciler.ts';
import { clusterStatusWriter } from './cluster-status-writer.ts';
import { FIELD_MANAGER, LABEL_INSTANCE, LABEL_MANAGED_BY } from '../constants.ts';
import { Controller, type ControllerContext } from '../runtime/controller.ts';
import { CLUSTER_CHILD_KINDS, INGESTION_CLUSTER } from '../kinds.ts';
import { SecretProbe } from '../runtime/secret-probe.ts';
import { AutoscalerMemory } from '../autoscaling/autoscaler-memory.ts';
import { workerPods } from './worker-pods.ts';

/** Children carry the operator's managed-by label; only those are watched and cached. */
const CHILD_SELECTOR = `${LABEL_MANAGED_BY}=${FIELD_MANAGER}`;

export function clusterController(ctx: ControllerContext): Controller<IngestionCluster, 'IngestionCluster'> {
  const clusters = ctx.informers.for(INGESTION_CLUSTER);
  const children = new Map(CLUSTER_CHILD_KINDS.map((k) => [k.kind, ctx.informers.for(k, CHILD_SELECTOR)]));
  // Short: a measurement must not hold up the reconcile of the cluster's children.
  const apis = clusterApis(ctx, 3_000);
  const deps: ClusterReconcilerDeps = {
    getCluster: (ns, name) => clusters.get(name, ns),
    getChild: (kind, ns, name) => children.get(kind)?.get(name, ns),
    applier: new Applier(ctx.kc, (kind) => ctx.metrics.applies.inc({ kind })),
    secrets: new SecretProbe(ctx.kc),
    writeStatus: clusterStatusWriter(ctx.kc),
    events: ctx.events,
    image: ctx.image,
    now: ctx.now,
    randomPassword: () => randomBytes(24).toString('hex'),
    randomKey: () => `sk_${randomBytes(32).toString('hex')}`,
    randomCredentialsKey: () => randomBytes(CREDENTIALS_KEY_BYTES).toString('base64'),
    queue: async (cluster) => {
      const api = await apis(cluster).catch(() => undefined);
      return api?.queue().catch((err: unknown) => void ctx.log.debug('queue not measured', { cluster: `${cluster.metadata.namespace}/${cluster.metadata.name}`, ...errorFields(err) }));
    },
    drain: async (cluster, workers) => {
      const api = await apis(cluster);
      if (!api) throw new ClusterApiUnavailable(`no operator key for ${cluster.metadata.namespace}/${cluster.metadata.name} yet`);
      await api.drainWorkers(workers);
    },
    autoscaler: new AutoscalerMemory(),
    pods: workerPods(ctx.kc),
    onDecision: (cluster, turn) => {
      const { reason } = turn.entry.decision ?? {};
      ctx.metrics.desiredWorkers.set({ namespace: cluster.metadata.namespace!, cluster: cluster.metadata.name! }, turn.replicas);
      if (reason) ctx.metrics.autoscalerDecisions.inc({ reason });
      if (turn.replicas !== turn.previous) ctx.metrics.autoscalerScales.inc({ direction: turn.replicas > turn.previous ? 'up' : 'down' });
    },
  };
  return new Controller(ctx, {
    name: 'ingestioncluster',
    for: INGESTION_CLUSTER,
    owns: CLUSTER_CHILD_KINDS.map((kind) => ({ kind, labelSelector: CHILD_SELECTOR, ownerLabel: LABEL_INSTANCE })),
    reconcile: (ref) => reconcileCluster(deps, ref),
  });
}
