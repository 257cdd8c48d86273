// A job's object-store credentials at rest: never in jobs.spec. Rows an older version stored in
// plain text are sealed when an API with the key starts; an API without a key refuses them; a
// worker whose key does not open them fails the job's source saying so, instead of retrying.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../src/api/main.ts';
import { loadApiConfig } from '../../src/shared/config/data-plane-config.ts';
import { getJob } from '../../src/shared/db/jobs.ts';
import { CredentialSealer } from '../../src/shared/jobs/credential-sealer.ts';
import { openSpec } from '../../src/shared/jobs/job-credentials.ts';
import { specHash } from '../../src/shared/jobs/job-spec.ts';
import { putJob, waitJob } from './support/jobs.ts';
import { startStack, type Stack } from './support/stack.ts';

const KEY = randomBytes(32);
const creds = { accessKeyId: `AKIA${randomBytes(6).toString('hex')}`, secretAccessKey: randomBytes(20).toString('base64') };
const body = (collection: string) => ({ collection, sources: { objectStore: { endpoint: 'http://127.0.0.1:9', bucket: 'corpus', prefix: 'p/', credentials: creds } } });

let s: Stack;
let key: string;
let db: pg.Pool;

beforeAll(async () => {
  s = await startStack({ env: { SLUICE_CREDENTIALS_KEY: KEY.toString('base64'), SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true' } });
  key = s.keys.admin!;
  db = new pg.Pool({ connectionString: s.pgUrl, max: 2 });
});
afterAll(async () => {
  await db?.end();
  await s?.stop();
});

const rowText = async (id: string) => (await db.query<{ row: string }>('SELECT row_to_json(j)::text AS row FROM jobs j WHERE id = $1', [id])).rows[0]?.row;

describe('job credentials at rest', () => {
  it('are stored sealed, never in jobs.spec, and open with the cluster key', async () => {
    expect((await putJob(s.base, key, 'sealed', body('cred-a'))).status).toBe(201);
    const row = await rowText('sealed');
    for (const secret of Object.values(creds)) expect(row).not.toContain(secret);
    const job = (await getJob(db, 'sealed'))!;
    expect(job.spec.sources.objectStore).not.toHaveProperty('credentials');
    expect(openSpec(job, new CredentialSealer(KEY)).sources.objectStore?.credentials).toEqual(creds);
  });

  it('stored in plain text by an older version are sealed when an API with the key starts', async () => {
    const spec = { ...body('cred-b'), metadata: {}, dedupPolicy: 'Skip', parallelism: 4, priority: 0, suspend: true, document: { retries: 2 }, failurePolicy: { rules: [] } };
    await db.query(`INSERT INTO jobs (id, collection, source_kind, spec, spec_hash) VALUES ('legacy', 'cred-b', 'objectStore', $1, $2)`, [JSON.stringify(spec), specHash(spec)]);
    expect(await rowText('legacy')).toContain(creds.secretAccessKey);
    const api = await startApi(loadApiConfig({ ...s.env, SLUICE_API_PORT: '0' }));
    await api.stop();
    const row = await rowText('legacy');
    for (const secret of Object.values(creds)) expect(row).not.toContain(secret);
    expect(openSpec((await getJob(db, 'legacy'))!, new CredentialSealer(KEY)).sources.objectStore?.credentials).toEqual(creds);
  });

  it('are refused by an API without a key, and nothing is stored', async () => {
    const api = await startApi(loadApiConfig({ ...s.env, SLUICE_API_PORT: '0', SLUICE_CREDENTIALS_KEY: '' }));
    try {
      const r = await putJob(`http://127.0.0.1:${api.port}`, key, 'unkeyed', body('cred-c'));
      expect(r.status).toBe(503);
      expect(r.body.error).toMatchObject({ code: 'CredentialsKeyMissing' });
      expect(await rowText('unkeyed')).toBeUndefined();
    } finally {
      await api.stop();
    }
  });

  it('that do not open with a worker\'s key fail the job\'s source for good, saying why', async () => {
    await s.startWorker({ SLUICE_CREDENTIALS_KEY: randomBytes(32).toString('base64') });
    expect((await putJob(s.base, key, 'rekeyed', body('cred-d'))).status).toBe(201);
    const job = await waitJob(s.base, key, 'rekeyed', (j) => j.state === 'Failed', 30_000);
    expect(job.reason).toBe('SourceFailed');
    expect(job.failureTarget.message).toContain("do not open with this cluster's key");
  });
});
