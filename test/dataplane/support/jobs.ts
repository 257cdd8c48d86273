// Helpers for the IngestionJob tests: PUT a job, poll it until a condition holds.
import { call, type Json } from './client.ts';

export async function putJob(base: string, key: string, id: string, body: Record<string, unknown>): Promise<{ status: number; body: Json }> {
  return call(base, key, 'PUT', `/v1/jobs/${id}`, body);
}

export async function getJob(base: string, key: string, id: string): Promise<Json> {
  const r = await call(base, key, 'GET', `/v1/jobs/${id}`);
  if (r.status !== 200) throw new Error(`GET job ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.job;
}

/** Polls the job until `done(job)`; fails with the last view after `timeoutMs`. */
export async function waitJob(base: string, key: string, id: string, done: (job: Json) => boolean, timeoutMs = 60_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(base, key, id);
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export const finished = (state: string) => (job: Json) => job.state === state;

/** All documents of a job, every page. */
export async function jobDocuments(base: string, key: string, id: string, state?: string): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: '1000', ...(state ? { state } : {}), ...(cursor ? { cursor } : {}) });
    const r = await call(base, key, 'GET', `/v1/jobs/${id}/documents?${q}`);
    if (r.status !== 200) throw new Error(`GET documents of ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    out.push(...r.body.documents);
    cursor = r.body.nextCursor;
  } while (cursor);
  return out;
}
