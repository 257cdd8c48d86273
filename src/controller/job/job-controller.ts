// The IngestionJob controller: For(IngestionJob), Watches(IngestionCluster → the jobs that
// reference it). It drives each job through its cluster's API (docs/jobs.md).
import type { IngestionJob } from '../../crd/ingestion-job.ts';
import { ClusterApiUnavailable } from '../cluster-api/cluster-api.ts';
import { clusterApis } from '../cluster-api/cluster-api-clients.ts';
import { Controller, type ControllerContext } from '../runtime/controller.ts';
import { byErrorType, CONFLICT_RULE } from '../runtime/error-policy.ts';
import { kubeRefReader } from '../runtime/ref-reader.ts';
import { reconcileJob, type JobReconcilerDeps } from './job-reconciler.ts';
import { jobWriter } from './job-writer.ts';
import { INGESTION_CLUSTER, INGESTION_JOB } from '../kinds.ts';
import { refOf } from '../runtime/object-key.ts';

const API_UNAVAILABLE_RETRY_MS = 5_000;

export function jobController(ctx: ControllerContext): Controller<IngestionJob, 'IngestionJob'> {
  const jobs = ctx.informers.for(INGESTION_JOB);
  const clusters = ctx.informers.for(INGESTION_CLUSTER);
  const refs = kubeRefReader(ctx.kc);
  const deps: JobReconcilerDeps = {
    getJob: (ns, name) => jobs.get(name, ns),
    getCluster: (ns, name) => clusters.get(name, ns),
    writer: jobWriter(ctx.kc),
    refs,
    api: clusterApis(ctx),
    events: ctx.events,
    now: ctx.now,
    polls: new Map(),
  };
  return new Controller(ctx, {
    name: 'ingestionjob',
    for: INGESTION_JOB,
    watches: [
      {
        kind: INGESTION_CLUSTER,
        map: (cluster) => {
          const { namespace, name } = refOf(cluster);
          return jobs.list(namespace).filter((j) => j.spec.clusterRef.name === name).map(refOf);
        },
      },
    ],
    reconcile: (ref) => reconcileJob(deps, ref),
    // An API that does not answer (restarting, scaled to zero, network) is looked at again in a
    // few seconds rather than hammered on a 5 ms backoff; it still counts as an error by name.
    errorPolicy: byErrorType([CONFLICT_RULE, { error: ClusterApiUnavailable, requeueAfterMs: API_UNAVAILABLE_RETRY_MS, result: 'unavailable' }]),
  });
}
