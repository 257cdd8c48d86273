// Pod template pieces shared by the API and worker Deployments. Pure.
import type { V1ResourceRequirements, V1PodSpec, V1PodTemplateSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { PodOverrides, Resources } from '../../crd/common.ts';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { ANNOTATION_CONFIG_HASH } from '../constants.ts';
import { configHash } from './config.ts';
import { childName, labels, type Component } from './names.ts';
import { APP_UID, podSecurityContext } from './security.ts';

export function podTemplate(
  cluster: IngestionCluster,
  component: Extract<Component, 'api' | 'worker'>,
  overrides: PodOverrides | undefined,
  spec: Pick<V1PodSpec, 'containers' | 'volumes' | 'terminationGracePeriodSeconds'>,
): V1PodTemplateSpec {
  return {
    metadata: {
      // Overrides first, so our selector labels always win.
      labels: { ...overrides?.labels, ...labels(cluster, component) },
      annotations: { ...overrides?.annotations, [ANNOTATION_CONFIG_HASH]: configHash(cluster, component) },
    },
    spec: {
      serviceAccountName: childName(cluster, component),
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: podSecurityContext(APP_UID),
      ...spec,
      ...(overrides?.nodeSelector ? { nodeSelector: overrides.nodeSelector } : {}),
      ...(overrides?.tolerations ? { tolerations: overrides.tolerations } : {}),
      ...(overrides?.affinity ? { affinity: overrides.affinity } : {}),
      ...(overrides?.priorityClassName ? { priorityClassName: overrides.priorityClassName } : {}),
      ...(overrides?.imagePullSecrets ? { imagePullSecrets: overrides.imagePullSecrets } : {}),
    },
  };
}

/** A read-only root filesystem still needs a writable /tmp. */
export const tmpVolume: V1Volume = { name: 'tmp', emptyDir: {} };
export const tmpMount: V1VolumeMount = { name: 'tmp', mountPath: '/tmp' };


/** Quantities as the API types want them (strings); the schema also accepts plain numbers. */
export function resourceRequirements(r: Resources | undefined): { resources?: V1ResourceRequirements } {
  if (!r) return {};
  const str = (m: Record<string, string | number> | undefined) => m && Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]));
  return { resources: { ...(r.requests ? { requests: str(r.requests) } : {}), ...(r.limits ? { limits: str(r.limits) } : {}) } };
}
