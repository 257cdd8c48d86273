// The writes of the job controller to its IngestionJobs: the finalizer and the status, each a
// JSON patch whose first operation tests the resourceVersion the decision was made on.
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../crd/common.ts';
import type { IngestionJob, IngestionJobStatus } from '../../crd/ingestion-job.ts';
import { errorMessage, FinalizerConflictError, isConflict, StatusConflictError, WriteError } from '../runtime/errors.ts';
import { JSON_PATCH, kubeRequests, objectPath } from '../runtime/kube-requests.ts';

export const JOB_FINALIZER = 'sluice.dev/job-cleanup';

export interface JobWriter {
  addFinalizer(job: IngestionJob): Promise<void>;
  removeFinalizer(job: IngestionJob): Promise<void>;
  /** Replaces the whole status (a field left out is removed, unlike a merge). */
  writeStatus(job: IngestionJob, status: IngestionJobStatus): Promise<void>;
}

type Op = { op: 'test' | 'add' | 'remove'; path: string; value?: unknown };

export const hasFinalizer = (job: IngestionJob) => job.metadata.finalizers?.includes(JOB_FINALIZER) ?? false;

export function jobWriter(kc: KubeConfig): JobWriter {
  const request = kubeRequests(kc);
  const jobPath = (job: IngestionJob, subresource?: string) => objectPath(`${GROUP}/${VERSION}`, 'ingestionjobs', job.metadata.namespace!, job.metadata.name!, subresource);
  const guard = (job: IngestionJob): Op => ({ op: 'test', path: '/metadata/resourceVersion', value: job.metadata.resourceVersion });

  const patchFinalizers = async (job: IngestionJob, ops: Op[], what: string) => {
    try {
      await request('PATCH', jobPath(job), { contentType: JSON_PATCH, body: [guard(job), ...ops] });
    } catch (err) {
      if (isConflict(err)) throw new FinalizerConflictError(`${what} of ${job.metadata.name}: it changed underneath us`, { cause: err });
      throw new WriteError(`${what} of ${job.metadata.name}: ${errorMessage(err)}`, { cause: err });
    }
  };

  return {
    addFinalizer: (job) =>
      patchFinalizers(
        job,
        job.metadata.finalizers ? [{ op: 'add', path: '/metadata/finalizers/-', value: JOB_FINALIZER }] : [{ op: 'add', path: '/metadata/finalizers', value: [JOB_FINALIZER] }],
        'adding the finalizer',
      ),
    removeFinalizer: async (job) => {
      const i = job.metadata.finalizers?.indexOf(JOB_FINALIZER) ?? -1;
      if (i < 0) return;
      const path = `/metadata/finalizers/${i}`;
      await patchFinalizers(job, [{ op: 'test', path, value: JOB_FINALIZER }, { op: 'remove', path }], 'removing the finalizer');
    },
    writeStatus: async (job, status) => {
      try {
        await request('PATCH', jobPath(job, 'status'), { contentType: JSON_PATCH, body: [guard(job), { op: 'add', path: '/status', value: status }] });
      } catch (err) {
        if (isConflict(err)) throw new StatusConflictError(`status of ${job.metadata.name} changed underneath us`, { cause: err });
        throw new WriteError(`writing status of ${job.metadata.name}: ${errorMessage(err)}`, { cause: err });
      }
    },
  };
}
