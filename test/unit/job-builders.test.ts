// What an IngestionCluster's children carry for IngestionJobs: the operator's key, and the
// workers' fetch settings.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { buildApiDeployment } from '../../src/controller/builders/api.ts';
import { buildChildren } from '../../src/controller/builders/children.ts';
import { componentConfig, configHash, fetchDenyHosts } from '../../src/controller/builders/config.ts';
import { buildOperatorKeySecret } from '../../src/controller/builders/generated-secrets.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const cluster = (spec: Record<string, unknown> = {}) => defaultedCluster('docs', 'team-a', { stores, ...spec } as never);
const ctx = { image: 'example.com/sluice:1' };
const container = (d: V1Deployment) => d.spec!.template.spec!.containers[0]!;

describe('buildOperatorKeySecret', () => {
  const secret = buildOperatorKeySecret(cluster(), 'sk_abc');

  it('holds the key and its keys-file line (the hash only)', () => {
    const sha = createHash('sha256').update('sk_abc').digest('hex');
    expect(secret.stringData).toEqual({ key: 'sk_abc', keys: `sluice-operator:${sha}\n` });
  });

  it('is named after the cluster, owned by it and labelled like every child', () => {
    expect(secret.metadata).toMatchObject({
      name: 'docs-operator-key',
      namespace: 'team-a',
      labels: { 'app.kubernetes.io/instance': 'docs', 'app.kubernetes.io/managed-by': 'sluice-operator' },
      ownerReferences: [expect.objectContaining({ kind: 'IngestionCluster', name: 'docs', controller: true })],
    });
  });

  it('is not among the children re-applied on every reconcile', () => {
    expect(buildChildren(cluster(), ctx).filter((c) => c.kind === 'Secret')).toEqual([]);
  });
});

describe('the API reads the operator key', () => {
  const d = buildApiDeployment(cluster(), ctx);

  it('mounts only the keys item, read-only, at /etc/sluice/operator-key', () => {
    expect(d.spec!.template.spec!.volumes).toContainEqual({ name: 'operator-key', secret: { secretName: 'docs-operator-key', items: [{ key: 'keys', path: 'keys' }] } });
    expect(container(d).volumeMounts).toContainEqual({ name: 'operator-key', mountPath: '/etc/sluice/operator-key', readOnly: true });
  });

  it('names the file in SLUICE_OPERATOR_KEYS_FILE', () => {
    expect(componentConfig(cluster()).api.SLUICE_OPERATOR_KEYS_FILE).toBe('/etc/sluice/operator-key/keys');
  });
});

describe('the workers fetch settings', () => {
  it.each([
    [
      'defaults: no private networks, the upload limit',
      {},
      { SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'false', SLUICE_FETCH_MAX_BYTES: '104857600', SLUICE_FETCH_CONNECT_TIMEOUT_SECONDS: '10', SLUICE_FETCH_TIMEOUT_SECONDS: '120', SLUICE_FETCH_MAX_REDIRECTS: '5' },
    ],
    [
      'from spec.workers.fetch',
      { workers: { fetch: { allowPrivateNetworks: true, maxBytes: 2048, connectTimeoutSeconds: 3, timeoutSeconds: 30, maxRedirects: 0 } } },
      { SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS: 'true', SLUICE_FETCH_MAX_BYTES: '2048', SLUICE_FETCH_CONNECT_TIMEOUT_SECONDS: '3', SLUICE_FETCH_TIMEOUT_SECONDS: '30', SLUICE_FETCH_MAX_REDIRECTS: '0' },
    ],
    ['the upload limit when no fetch limit is given', { api: { maxUploadBytes: 4096 } }, { SLUICE_FETCH_MAX_BYTES: '4096' }],
  ])('%s', (_name, spec, want) => {
    expect(componentConfig(cluster(spec)).worker).toMatchObject(want);
  });

  it("deny the cluster's own API and Redis Services, short and fully qualified", () => {
    expect(fetchDenyHosts(cluster())).toEqual([
      'docs-api',
      'docs-api.team-a',
      'docs-api.team-a.svc',
      'docs-api.team-a.svc.cluster.local',
      'docs-redis',
      'docs-redis.team-a',
      'docs-redis.team-a.svc',
      'docs-redis.team-a.svc.cluster.local',
    ]);
    expect(componentConfig(cluster()).worker.SLUICE_FETCH_DENY_HOSTS).toBe(fetchDenyHosts(cluster()).join(','));
  });

  it('have no Redis Service to deny with an external Redis', () => {
    expect(fetchDenyHosts(cluster({ redis: { mode: 'External', externalSecretRef: { name: 'r' } } })).some((h) => h.includes('redis'))).toBe(false);
  });

  it('roll the workers only', () => {
    const changed = cluster({ workers: { fetch: { allowPrivateNetworks: true } } });
    expect(configHash(changed, 'worker')).not.toBe(configHash(cluster(), 'worker'));
    expect(configHash(changed, 'api')).toBe(configHash(cluster(), 'api'));
  });
});
