// The image the operator's own container runs, read from its Pod: the API and worker pods run it
// unless a cluster names another, so one image setting (kustomize's `images`, a Helm value,
// `kubectl set image`) moves every pod, with nothing else to keep in step.
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { exponentialDelay } from '../../shared/backoff.ts';
import { ConfigError } from '../../shared/config/env.ts';
import { errorMessage, httpStatus } from './errors.ts';
import { kubeRequests, objectPath } from './kube-requests.ts';

/** The container that runs the operator in its Deployment (manifests/manager/deployment.yaml). */
export const OPERATOR_CONTAINER = 'operator';

/** The operator container's image; a pod of one container may name it anything. */
export function imageOf(pod: V1Pod): string | undefined {
  const containers = pod.spec?.containers ?? [];
  const own = containers.find((c) => c.name === OPERATOR_CONTAINER) ?? (containers.length === 1 ? containers[0] : undefined);
  return own?.image;
}

export interface OwnImageOptions {
  attempts?: number;
  baseDelayMs?: number;
}

/**
 * Reads the Pod `namespace/name` and returns its operator container's image. A missing Pod or
 * missing rights fail at once, saying what would fix it; an unreachable apiserver is retried.
 */
export async function ownImage(kc: KubeConfig, namespace: string, name: string, { attempts = 6, baseDelayMs = 500 }: OwnImageOptions = {}): Promise<string> {
  const request = kubeRequests(kc);
  const fix = 'or set --image (SLUICE_IMAGE)';
  for (let attempt = 1; ; attempt++) {
    try {
      const image = imageOf(await request<V1Pod>('GET', objectPath('v1', 'pods', namespace, name)));
      if (!image) throw new ConfigError(`pod ${namespace}/${name} has no container named "${OPERATOR_CONTAINER}" to take the image of; name it so ${fix}`);
      return image;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const status = httpStatus(err);
      if (status === 403) throw new ConfigError(`reading its own pod ${namespace}/${name} for its image was refused: grant "get" on pods in ${namespace} (manifests/rbac/self-role.yaml) ${fix}`, { cause: err });
      if (status === 404) throw new ConfigError(`its own pod ${namespace}/${name} (POD_NAME, POD_NAMESPACE) was not found; ${fix}`, { cause: err });
      if (attempt >= attempts) throw new ConfigError(`reading its own pod ${namespace}/${name} for its image failed ${attempts} times: ${errorMessage(err)}; ${fix}`, { cause: err });
      await new Promise((r) => setTimeout(r, exponentialDelay(attempt, baseDelayMs, 8_000)));
    }
  }
}
