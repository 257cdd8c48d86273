// The ingestion workers' Deployment. Pure.
import type { V1Deployment } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { METRICS_PORT } from '../constants.ts';
import type { BuildContext } from './api.ts';
import { secretEnv } from './config.ts';
import { childMeta, childName, selectorLabels } from './names.ts';
import { podTemplate, resourceRequirements, tmpMount, tmpVolume } from './pods.ts';
import { containerSecurityContext } from './security.ts';

/**
 * Exactly one owner of the worker count in each autoscaling mode. None: the spec, through us.
 * Builtin: our autoscaler (its decision lives in status, never in a field Git sets). KEDA: the
 * HPA that KEDA creates, so we leave `replicas` out and server-side apply drops our claim to it.
 */
export function workerReplicas(cluster: IngestionCluster, builtinDesired: number | undefined): number | undefined {
  const { spec } = cluster;
  if (spec.suspend) return 0;
  switch (spec.autoscaling.mode) {
    case 'None':
      return spec.workers.replicas;
    case 'KEDA':
      return undefined;
    case 'Builtin': {
      // Before the autoscaler's first decision, the spec's count within its bounds: starting at
      // minReplicas (often 0) would leave queued work with nobody to do it.
      const { minReplicas, maxReplicas } = spec.autoscaling;
      return builtinDesired ?? Math.min(maxReplicas, Math.max(minReplicas, spec.workers.replicas));
    }
  }
}

export function buildWorkerDeployment(cluster: IngestionCluster, ctx: BuildContext & { builtinDesired?: number }): V1Deployment {
  const { workers } = cluster.spec;
  const replicas = workerReplicas(cluster, ctx.builtinDesired);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMeta(cluster, childName(cluster, 'worker'), 'worker'),
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: selectorLabels(cluster, 'worker') },
      template: podTemplate(cluster, 'worker', workers.pod, {
        terminationGracePeriodSeconds: workers.terminationGracePeriodSeconds,
        containers: [
          {
            name: 'worker',
            image: workers.image ?? ctx.image,
            args: ['worker'],
            envFrom: [{ configMapRef: { name: childName(cluster, 'config') } }],
            env: [{ name: 'SLUICE_WORKER_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, ...secretEnv(cluster)],
            ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
            readinessProbe: { httpGet: { path: '/readyz', port: 'metrics' }, periodSeconds: 10, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, initialDelaySeconds: 10, periodSeconds: 15, failureThreshold: 4 },
            ...resourceRequirements(workers.resources),
            securityContext: containerSecurityContext(),
            volumeMounts: [tmpMount],
          },
        ],
        volumes: [tmpVolume],
      }),
    },
  };
}
