// Server-side apply of children under one field manager, skipped when the cached live object
// already says everything we would say (so a converged cluster costs the apiserver nothing).
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from './constants.ts';
import { ApplyError, errorMessage, httpStatus } from './errors.ts';

/** True when every field of `desired` has the same value in `live` (arrays element by element). */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (desired === undefined) return true;
  if (Array.isArray(desired)) {
    return Array.isArray(live) && desired.length === live.length && desired.every((d, i) => isSubset(d, live[i]));
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    return Object.entries(desired).every(([k, v]) => isSubset(v, k in l ? l[k] : l[wireName(k)]));
  }
  // Quantities and int-or-string ports may come back in the other representation.
  return desired === live || (typeof live !== 'object' && String(desired) === String(live));
}

/**
 * client-node's typed models rename JSON keys that clash with reserved words (`from` is
 * `_from`), while objects from watch events keep the wire names.
 */
const wireName = (k: string) => (k.startsWith('_') ? k.slice(1) : k);

export class Applier {
  private readonly api: KubernetesObjectApi;
  private readonly onApply: (kind: string) => void;

  constructor(kc: KubeConfig, onApply: (kind: string) => void = () => {}) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
    this.onApply = onApply;
  }

  async apply<T extends KubernetesObject>(desired: T, live?: KubernetesObject): Promise<T> {
    if (live && isSubset(desired, live)) return live as T;
    this.onApply(desired.kind ?? 'Unknown');
    try {
      return await this.api.patch(desired, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (err) {
      throw new ApplyError(desired.kind ?? 'Unknown', desired.metadata?.name ?? '', httpStatus(err), errorMessage(err), { cause: err });
    }
  }
}
