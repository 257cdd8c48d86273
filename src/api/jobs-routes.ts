// The IngestionJob routes (docs/jobs.md) and the queue summary: the operator drives a job
// through these, as anyone may without Kubernetes. Mounted on the keyed, rate-limited /v1 router.
import express from 'express';
import { getCollection } from '../shared/db/collections.ts';
import { listDocuments } from '../shared/db/document-queries.ts';
import { deleteJobKeepingDocuments, purgeJobStep } from '../shared/db/job-deletion.ts';
import { getJob, type JobRow, putJob } from '../shared/db/jobs.ts';
import { sealSpec } from '../shared/jobs/job-credentials.ts';
import { sourceKindOf, specHash } from '../shared/jobs/job-spec.ts';
import type { AppDeps, Authed } from './app-deps.ts';
import { assertMayUse } from './auth.ts';
import { toView } from './document-view.ts';
import { HttpError } from './http-error.ts';
import { JOB_ID, parseJobBody } from './job-body.ts';
import { jobView } from './job-view.ts';
import { encodeCursor } from './list-cursor.ts';
import { parseListQuery } from './list-query.ts';
import { readQueueSummary } from './queue-summary.ts';
import { DRAIN_TTL_MS, drainKeyFor, setDrainRequests } from '../shared/drain.ts';

/** How long one DELETE with purge works before answering 202 with what is left. */
const PURGE_BUDGET_MS = 5_000;

export function createJobsRouter(deps: AppDeps): express.Router {
  const r = express.Router();

  const loadJob = async (req: Authed): Promise<JobRow> => {
    const id = String(req.params.id);
    const job = JOB_ID.test(id) ? await getJob(deps.pool, id) : undefined;
    if (!job) throw new HttpError(404, 'NotFound', `no job ${id}`);
    assertMayUse(req.apiKey!, job.collection);
    return job;
  };

  r.put('/jobs/:id', express.json({ limit: '8mb' }), async (req: Authed, res) => {
    const id = String(req.params.id);
    if (!JOB_ID.test(id)) throw new HttpError(422, 'InvalidJob', `id: must match ${JOB_ID.source}`);
    const body: unknown = req.body;
    if (body === undefined) throw new HttpError(400, 'InvalidJob', 'send the job as a JSON object with content-type: application/json');
    const spec = parseJobBody(body);
    assertMayUse(req.apiKey!, spec.collection);
    const e = spec.embedding;
    if (e && ((e.model !== undefined && e.model !== deps.embedder.model) || (e.dimensions !== undefined && e.dimensions !== deps.embedder.dimensions))) {
      throw new HttpError(
        422,
        'EmbeddingMismatch',
        `embedding: this cluster embeds with ${deps.embedder.model}/${deps.embedder.dimensions}, the job asks for ${e.model ?? deps.embedder.model}/${e.dimensions ?? deps.embedder.dimensions}`,
      );
    }
    if (spec.sources.objectStore?.credentials && !deps.sealer) {
      throw new HttpError(503, 'CredentialsKeyMissing', 'sources.objectStore.credentials: this API has no credentials key (SLUICE_CREDENTIALS_KEY) to seal them with, and never stores them in plain text');
    }
    const out = await putJob(deps.pool, id, sealSpec(id, spec, deps.sealer), specHash(body), sourceKindOf(spec.sources));
    if (out.kind === 'deleting') throw new HttpError(409, 'Deleting', `job ${id} is being deleted; repeat the DELETE until it answers 204, then create it again`);
    if (out.kind === 'immutable') throw new HttpError(409, 'Immutable', `${out.field}: cannot change (it is ${JSON.stringify(out.was)})`);
    res.status(out.kind === 'created' ? 201 : 200).json({ job: await jobView(deps.pool, out.job, deps.embedder) });
  });

  r.get('/jobs/:id', async (req: Authed, res) => {
    res.json({ job: await jobView(deps.pool, await loadJob(req), deps.embedder) });
  });

  r.get('/jobs/:id/documents', async (req: Authed, res) => {
    const job = await loadJob(req);
    const { state, limit, after } = parseListQuery(req);
    const rows = await listDocuments(deps.pool, { collections: null, job: job.id, state, limit, after });
    const last = rows.at(-1);
    res.json({ documents: rows.map(toView), nextCursor: rows.length === limit && last ? encodeCursor(last) : null });
  });

  r.delete('/jobs/:id', async (req: Authed, res) => {
    const job = await loadJob(req);
    const purge = req.query.purge;
    if (purge !== undefined && purge !== 'true' && purge !== 'false') throw new HttpError(400, 'InvalidPurge', 'purge must be true or false');
    if (purge !== 'true') {
      if (!(await deleteJobKeepingDocuments(deps.pool, job.id))) throw new HttpError(404, 'NotFound', `no job ${job.id}`);
      return void res.status(204).end();
    }
    // Chunks first: if Chroma is down the rows stay and the DELETE can be repeated.
    const remaining = await purgeJobStep(
      deps.pool,
      job.id,
      async (batch) => {
        const col = await getCollection(deps.pool, job.collection);
        if (!col) return;
        for (let i = 0; i < batch.length; i += 8) {
          await Promise.all(batch.slice(i, i + 8).map((doc) => deps.chroma.deleteDocument(doc.collection, doc.id, col.model, col.dimensions)));
        }
      },
      PURGE_BUDGET_MS,
    );
    if (remaining > 0) return void res.status(202).setHeader('retry-after', '2').json({ remaining });
    res.status(204).end();
  });

  r.get('/queue', async (_req, res) => {
    res.json(await readQueueSummary(deps.queue, deps.redis, deps.pool));
  });

  // The autoscaler's drain requests (src/shared/drain.ts): the whole set each time.
  r.put('/workers/drain', express.json({ limit: '256kb' }), async (req: Authed, res) => {
    const key = req.apiKey!;
    if (key.collections !== null) throw new HttpError(403, 'Forbidden', `API key ${key.name} may not drain workers: only a key for every collection may`);
    const workers = (req.body as { workers?: unknown } | undefined)?.workers;
    if (!Array.isArray(workers) || workers.length > 1000 || !workers.every((w) => typeof w === 'string' && w.length > 0 && w.length <= 253)) {
      throw new HttpError(422, 'InvalidDrain', 'workers: an array of at most 1000 worker ids (pod names, 1 to 253 characters)');
    }
    await setDrainRequests(deps.redis, drainKeyFor(deps.queue.name), workers as string[]);
    res.json({ draining: workers, ttlSeconds: DRAIN_TTL_MS / 1000 });
  });

  return r;
}
