// Security settings that satisfy the Pod Security Standard "restricted". Pure.
import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

export function podSecurityContext(uid: number): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The uid of the `node` user in the official Node images our Dockerfile builds on. */
export const APP_UID = 1000;
/** The uid of the `redis` user in the official Redis images. */
export const REDIS_UID = 999;
