// The job reconciler against scripted fakes: which calls it makes, in which order, per scenario.
import { beforeEach, describe, expect, it } from 'vitest';
import type { IngestionCluster } from '../../src/crd/ingestion-cluster.ts';
import type { IngestionJob, IngestionJobStatus } from '../../src/crd/ingestion-job.ts';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { type ClusterApi, ClusterApiError, type DeleteOutcome, type JobView } from '../../src/controller/cluster-api/cluster-api.ts';
import { buildJobBody } from '../../src/controller/job/job-request-body.ts';
import { reconcileJob, type JobReconcilerDeps } from '../../src/controller/job/job-reconciler.ts';
import { JOB_FINALIZER } from '../../src/controller/job/job-writer.ts';
import { specHash } from '../../src/shared/jobs/job-spec.ts';
import { defaultedJob, view } from '../support/jobs.ts';

const NOW = new Date('2026-11-29T20:00:00Z');
let clock = NOW.getTime();
const advance = (ms: number) => void (clock += ms);
const ref = { namespace: 'team-a', name: 'j' };

function readyCluster(): IngestionCluster {
  const c = defaultedCluster('docs', 'team-a', { stores: { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } } });
  c.status = { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'ok', lastTransitionTime: '2026-11-29T19:00:00Z' }] };
  return c;
}

let calls: string[];
let job: IngestionJob | undefined;
let cluster: IngestionCluster | undefined;
let apiJob: JobView | undefined;
let deletes: DeleteOutcome[];
let putError: Error | undefined;
let configMaps: Record<string, Record<string, string>>;
let hasKey: boolean;
let deps: JobReconcilerDeps;

const api: ClusterApi = {
  getJob: async (id) => (calls.push(`GET ${id}`), apiJob),
  putJob: async (id, body) => {
    calls.push(`PUT ${id}`);
    if (putError) throw putError;
    apiJob = view({ state: 'Pending', startTime: null, specHash: specHash(body), counts: { total: 0, pending: 0, queued: 0, active: 0, succeeded: 0, failed: 0, skipped: 0 } });
    return apiJob;
  },
  deleteJob: async (id, purge) => (calls.push(`DELETE ${id} purge=${purge}`), deletes.shift() ?? { done: true }),
  queue: async () => ({ waiting: 0, active: 0, delayed: 0, failed: 0, workers: [] }),
  drainWorkers: async () => {},
};

beforeEach(() => {
  calls = [];
  clock = NOW.getTime();
  job = defaultedJob({ sources: { inline: [{ uri: 'https://x.example/a.pdf' }] } }, { finalizers: [JOB_FINALIZER] });
  cluster = readyCluster();
  apiJob = undefined;
  deletes = [];
  putError = undefined;
  configMaps = {};
  hasKey = true;
  deps = {
    getJob: () => job,
    getCluster: () => cluster,
    writer: {
      addFinalizer: async (j) => void (calls.push('add finalizer'), (job = { ...j, metadata: { ...j.metadata, finalizers: [JOB_FINALIZER] } })),
      removeFinalizer: async (j) => void (calls.push('remove finalizer'), (job = { ...j, metadata: { ...j.metadata, finalizers: [] } })),
      writeStatus: async (j, status: IngestionJobStatus) => void (calls.push(`status ${status.phase}`), (job = { ...j, status })),
    },
    refs: { configMapData: async (_ns, name) => configMaps[name], secretData: async () => undefined },
    api: async () => (hasKey ? api : undefined),
    events: { record: async (_o, type, reason) => void calls.push(`event ${type}/${reason}`) },
    now: () => new Date(clock),
    polls: new Map(),
  };
});

const condition = (type: string) => job?.status?.conditions?.find((c) => c.type === type);

describe('reconcileJob', () => {
  it('(3) adds the finalizer first, and does nothing else in that pass', async () => {
    job = defaultedJob({ sources: { inline: [{ uri: 'https://x.example/a.pdf' }] } });
    expect(await reconcileJob(deps, ref)).toEqual({});
    expect(calls).toEqual(['add finalizer']);
  });

  it('(4) waits for a missing cluster with ClusterReady False, without calling any API', async () => {
    cluster = undefined;
    expect(await reconcileJob(deps, ref)).toEqual({ requeueAfterMs: 10_000 });
    expect(calls).toEqual(['status Pending']);
    expect(condition('ClusterReady')).toMatchObject({ status: 'False', reason: 'ClusterNotFound' });
  });

  it('(4) follows a job on a cluster that is not Ready, saying so; waits for one with no operator key yet', async () => {
    cluster!.status!.conditions![0]!.status = 'False';
    expect(await reconcileJob(deps, ref)).toEqual({ requeueAfterMs: 2000 });
    expect(calls).toEqual(['GET uid-j', 'PUT uid-j', 'status Pending']);
    expect(condition('ClusterReady')).toMatchObject({ status: 'False', reason: 'ClusterNotReady' });
    cluster = readyCluster();
    hasKey = false;
    expect(await reconcileJob(deps, ref)).toEqual({ requeueAfterMs: 10_000 });
    expect(condition('ClusterReady')?.message).toContain('no operator key Secret yet');
  });

  it('(7) PUTs a job the API does not have, then (8) writes its status, (9) polls in 2 s', async () => {
    expect(await reconcileJob(deps, ref)).toEqual({ requeueAfterMs: 2000 });
    expect(calls).toEqual(['GET uid-j', 'PUT uid-j', 'status Pending']);
    expect(condition('ClusterReady')).toMatchObject({ status: 'True' });
    expect(condition('Accepted')).toMatchObject({ status: 'True' });
  });

  it('(7) does not PUT an unchanged spec, and (8) writes nothing when nothing moved: (9) polls slower', async () => {
    await reconcileJob(deps, ref);
    calls = [];
    advance(2000);
    expect(await reconcileJob(deps, ref)).toEqual({ requeueAfterMs: 4000 });
    expect(calls).toEqual(['GET uid-j']);
    advance(4000);
    expect(await reconcileJob(deps, ref)).toEqual({ requeueAfterMs: 8000 });
    // A watch event before the poll is due (our own status write, say) keeps the schedule,
    // without calling the API.
    advance(1000);
    calls = [];
    expect(await reconcileJob(deps, ref)).toEqual({ requeueAfterMs: 7000 });
    expect(calls).toEqual([]);
  });

  it('(7) PUTs again when the spec changed', async () => {
    await reconcileJob(deps, ref);
    // The apiserver bumps the generation on a spec change: the change is acted on before the poll is due.
    job = { ...job!, metadata: { ...job!.metadata, generation: (job!.metadata.generation ?? 1) + 1 }, spec: { ...job!.spec, parallelism: 3 } };
    calls = [];
    await reconcileJob(deps, ref);
    // Status follows with the new observedGeneration.
    expect(calls).toEqual(['GET uid-j', 'PUT uid-j', 'status Pending']);
    expect(apiJob!.specHash).toBe(specHash(buildJobBody(job, {})));
  });

  it('(8) records Started and Completed on transitions; (9) stops polling a finished job', async () => {
    apiJob = view({ specHash: specHash(buildJobBody(job!, {})) });
    expect(await reconcileJob(deps, ref)).toEqual({ requeueAfterMs: 2000 });
    expect(calls).toEqual(['GET uid-j', 'status Running', 'event Normal/Started']);
    apiJob = { ...apiJob, state: 'Complete' };
    calls = [];
    advance(2000);
    expect(await reconcileJob(deps, ref)).toEqual({});
    expect(calls).toEqual(['GET uid-j', 'status Complete', 'event Normal/Completed']);
  });

  it('(6) reports a missing manifest ConfigMap in Accepted, and sends its text once it exists', async () => {
    job = defaultedJob({ sources: { manifest: { configMapRef: { name: 'list' } } } }, { finalizers: [JOB_FINALIZER] });
    expect(await reconcileJob(deps, ref)).toEqual({ requeueAfterMs: 15_000 });
    expect(calls).toEqual(['status Pending']);
    expect(condition('Accepted')).toMatchObject({ status: 'False', reason: 'ConfigMapNotFound' });
    configMaps.list = { documents: 'https://x.example/a.pdf\n' };
    calls = [];
    await reconcileJob(deps, ref);
    expect(calls.slice(0, 2)).toEqual(['GET uid-j', 'PUT uid-j']);
    expect(condition('Accepted')).toMatchObject({ status: 'True' });
  });

  it('(7) shows a spec the API refuses in Accepted, and does not retry it', async () => {
    putError = new ClusterApiError(422, 'InvalidJob', 'PUT /v1/jobs/uid-j: 422 InvalidJob: embedding.dimensions: 8 does not match');
    expect(await reconcileJob(deps, ref)).toEqual({});
    expect(condition('Accepted')).toMatchObject({ status: 'False', reason: 'InvalidJob' });
  });

  it('(7) uses a generic reason when the API error code is not a valid condition reason', async () => {
    putError = new ClusterApiError(400, 'bad request!', 'PUT /v1/jobs/uid-j: 400');
    await reconcileJob(deps, ref);
    expect(condition('Accepted')).toMatchObject({ status: 'False', reason: 'Refused' });
  });

  describe('(2) deletion', () => {
    const deleting = (deletionPolicy: 'Delete' | 'Retain') => {
      job = { ...job!, spec: { ...job!.spec, deletionPolicy }, metadata: { ...job!.metadata, deletionTimestamp: NOW } };
    };

    it('Delete: purges, repeating while the API says 202, then releases the finalizer', async () => {
      deleting('Delete');
      deletes = [{ done: false, remaining: 2 }, { done: true }];
      expect(await reconcileJob(deps, ref)).toEqual({ requeueAfterMs: 2000 });
      expect(await reconcileJob(deps, ref)).toEqual({});
      expect(calls).toEqual(['DELETE uid-j purge=true', 'DELETE uid-j purge=true', 'remove finalizer']);
    });

    it('Retain: deletes the job record only', async () => {
      deleting('Retain');
      await reconcileJob(deps, ref);
      expect(calls).toEqual(['DELETE uid-j purge=false', 'remove finalizer']);
    });

    it('releases the finalizer with a Warning when the cluster is gone', async () => {
      deleting('Delete');
      cluster = undefined;
      await reconcileJob(deps, ref);
      expect(calls).toEqual(['event Warning/CleanupSkipped', 'remove finalizer']);
    });

    it('treats a cluster being deleted as gone', async () => {
      deleting('Retain');
      cluster = { ...cluster!, metadata: { ...cluster!.metadata, deletionTimestamp: NOW } };
      await reconcileJob(deps, ref);
      expect(calls).toEqual(['event Warning/CleanupSkipped', 'remove finalizer']);
    });

    it('does nothing once its finalizer is gone', async () => {
      deleting('Delete');
      job!.metadata.finalizers = ['someone-else/finalizer'];
      expect(await reconcileJob(deps, ref)).toEqual({});
      expect(calls).toEqual([]);
    });
  });
});
