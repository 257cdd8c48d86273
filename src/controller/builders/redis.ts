// Managed Redis: a single-replica StatefulSet with an AOF volume and its Service; its password is a
// generated Secret (generated-secrets.ts). Pure.
import type { V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { REDIS_PORT } from '../constants.ts';
import { childMeta, childName, clusterIpService, labels, selectorLabels } from './names.ts';
import { resourceRequirements } from './pods.ts';
import { containerSecurityContext, podSecurityContext, REDIS_UID } from './security.ts';

export const buildRedisService = (cluster: IngestionCluster): V1Service => clusterIpService(cluster, 'redis', 'redis', REDIS_PORT);

/** Redis flags BullMQ needs in production: durable AOF, and never evicting queue keys. */
const REDIS_ARGS = [
  '--appendonly', 'yes',
  '--appendfsync', 'everysec',
  '--maxmemory-policy', 'noeviction',
  '--save', '',
  '--dir', '/data',
  '--requirepass', '$(REDIS_PASSWORD)',
];

export function buildRedisStatefulSet(cluster: IngestionCluster): V1StatefulSet {
  const { redis } = cluster.spec;
  const name = childName(cluster, 'redis');
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMeta(cluster, name, 'redis'),
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: selectorLabels(cluster, 'redis') },
      template: {
        metadata: { labels: labels(cluster, 'redis') },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(REDIS_UID),
          containers: [
            {
              name: 'redis',
              image: redis.image,
              args: REDIS_ARGS,
              env: [{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: childName(cluster, 'redis-auth'), key: 'password' } } }],
              ports: [{ name: 'redis', containerPort: REDIS_PORT, protocol: 'TCP' }],
              readinessProbe: {
                exec: { command: ['sh', '-c', 'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG'] },
                periodSeconds: 5,
                timeoutSeconds: 3,
              },
              livenessProbe: { tcpSocket: { port: 'redis' }, initialDelaySeconds: 10, periodSeconds: 10 },
              ...resourceRequirements(redis.resources),
              securityContext: containerSecurityContext(),
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', labels: labels(cluster, 'redis') },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: redis.storage.size } },
            ...(redis.storage.storageClassName ? { storageClassName: redis.storage.storageClassName } : {}),
          },
        },
      ],
    },
  };
}
