// The upload/search API: Deployment, Service and PodDisruptionBudget. Pure.
import type { V1Deployment, V1PodDisruptionBudget, V1Service } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { METRICS_PORT } from '../constants.ts';
import { API_KEYS_MOUNT, OPERATOR_KEY_MOUNT, secretEnv } from './config.ts';
import { OPERATOR_KEYS_FILE_ITEM } from './operator-key.ts';
import { childMeta, childName, clusterIpService, selectorLabels } from './names.ts';
import { podTemplate, resourceRequirements, tmpMount, tmpVolume } from './pods.ts';
import { containerSecurityContext } from './security.ts';

export interface BuildContext {
  /** The operator's own image, used where the spec names none. */
  image: string;
}

export function buildApiDeployment(cluster: IngestionCluster, ctx: BuildContext): V1Deployment {
  const { api, suspend } = cluster.spec;
  const auth = api.authSecretRef;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMeta(cluster, childName(cluster, 'api'), 'api'),
    spec: {
      replicas: suspend ? 0 : api.replicas,
      selector: { matchLabels: selectorLabels(cluster, 'api') },
      template: podTemplate(cluster, 'api', api.pod, {
        containers: [
          {
            name: 'api',
            image: api.image ?? ctx.image,
            args: ['api'],
            envFrom: [{ configMapRef: { name: childName(cluster, 'config') } }],
            env: secretEnv(cluster),
            ports: [
              { name: 'http', containerPort: api.port, protocol: 'TCP' },
              { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
            ],
            readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
            ...resourceRequirements(api.resources),
            securityContext: containerSecurityContext(),
            volumeMounts: [
              tmpMount,
              ...(auth ? [{ name: 'api-keys', mountPath: API_KEYS_MOUNT, readOnly: true }] : []),
              { name: 'operator-key', mountPath: OPERATOR_KEY_MOUNT, readOnly: true },
            ],
          },
        ],
        volumes: [
          tmpVolume,
          ...(auth ? [{ name: 'api-keys', secret: { secretName: auth.name } }] : []),
          // Only the hashed keys-file line: the API never sees the operator's key itself.
          { name: 'operator-key', secret: { secretName: childName(cluster, 'operator-key'), items: [{ key: OPERATOR_KEYS_FILE_ITEM, path: OPERATOR_KEYS_FILE_ITEM }] } },
        ],
      }),
    },
  };
}

/** The API's Service: ClusterIP unless spec.api.service asks for a NodePort or a load balancer. */
export function buildApiService(cluster: IngestionCluster): V1Service {
  const base = clusterIpService(cluster, 'api', 'http', cluster.spec.api.port);
  const { type, annotations, loadBalancerSourceRanges } = cluster.spec.api.service;
  return {
    ...base,
    metadata: { ...base.metadata, ...(annotations ? { annotations } : {}) },
    spec: { ...base.spec, type, ...(type === 'LoadBalancer' && loadBalancerSourceRanges ? { loadBalancerSourceRanges } : {}) },
  };
}

export function buildApiPodDisruptionBudget(cluster: IngestionCluster): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMeta(cluster, childName(cluster, 'api'), 'api'),
    spec: {
      // maxUnavailable rather than minAvailable: a one-replica API must not block node drains.
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(cluster, 'api') },
    },
  };
}
