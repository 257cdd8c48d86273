// The environment the operator writes into the API and worker pods is exactly what the data
// plane reads: every variable of the ConfigMap and of the Secret references is read by the
// component it is meant for, and its value parses.
import { describe, expect, it } from 'vitest';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { componentConfig, secretEnv } from '../../src/controller/builders/config.ts';
import { loadApiConfig, loadWorkerConfig } from '../../src/shared/config/data-plane-config.ts';
import type { Env } from '../../src/shared/config/env.ts';

const spec = {
  stores: { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000', credentialsSecretRef: { name: 'chroma' } } },
  embedding: { provider: 'OpenAICompatible', endpoint: 'http://tei:8080/v1', apiKeySecretRef: { name: 'emb' } },
  api: { authSecretRef: { name: 'keys' } },
};
/** What the kubelet puts in place of the Secret references. */
const fromSecrets: Env = {
  SLUICE_REDIS_URL: 'redis://:pw@docs-redis.team-a.svc:6379',
  SLUICE_POSTGRES_URL: 'postgres://u:p@pg:5432/db',
  SLUICE_CHROMA_TOKEN: 't',
  SLUICE_EMBEDDING_API_KEY: 'k',
  SLUICE_CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64'),
  REDIS_PASSWORD: 'pw',
  SLUICE_WORKER_ID: 'docs-worker-abc',
};

/** Runs a loader over an environment and returns the variables it read. */
function reads(load: (env: Env) => unknown, env: Env): Set<string> {
  const seen = new Set<string>();
  load(new Proxy(env, { get: (t, k) => (typeof k === 'string' && seen.add(k), t[k as string]) }));
  return seen;
}

describe('the pod environment matches what the data plane reads', () => {
  const cluster = defaultedCluster('docs', 'team-a', spec as never);
  const c = componentConfig(cluster);
  const secretNames = secretEnv(cluster).map((e) => e.name).filter((n) => n !== 'REDIS_PASSWORD');

  it.each([
    ['api', { ...c.common, ...c.api }, loadApiConfig],
    ['worker', { ...c.common, ...c.worker }, loadWorkerConfig],
  ] as const)('the %s reads every variable written for it, and accepts its value', (_name, vars, load) => {
    const env = { ...vars, ...fromSecrets };
    expect(() => load(env)).not.toThrow();
    const seen = reads(load, env);
    expect([...Object.keys(vars), ...secretNames].filter((k) => !seen.has(k))).toEqual([]);
  });
});
