// Server-side apply of children under one field manager, and deletion of children the spec no
// longer wants. An apply is skipped when the cached live object already is what we would apply:
// every field we send has its value live, and every field we own (our server-side-apply field
// set in managedFields) is still one we send. So a converged cluster costs the apiserver
// nothing, and a field dropped from the desired object is noticed and removed by the apply.
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../constants.ts';
import { ApplyError, ControllerError, errorMessage, httpStatus } from './errors.ts';
import { looseEqual, matchesKeys, wireName, type FieldsV1 } from './field-set.ts';
import { kindNotServed } from './kind-ref.ts';

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
 * The fields `manager` owns on `live` through server-side apply of `apiVersion` (not through
 * updates or /status). Objects listed rather than watched carry no apiVersion of their own.
 */
export function appliedFields(live: KubernetesObject, apiVersion: string | undefined, manager = FIELD_MANAGER): FieldsV1 | undefined {
  const entry = live.metadata?.managedFields?.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  return entry && entry.apiVersion === apiVersion ? ((entry.fieldsV1 ?? {}) as FieldsV1) : undefined;
}

/** The paths of `fields` that `desired` no longer has, e.g. `.data.SLUICE_API_KEYS_FILE`. */
export function staleFields(fields: FieldsV1, desired: unknown, path = ''): string[] {
  const out: string[] = [];
  for (const [key, sub] of Object.entries(fields)) {
    if (key === '.') continue; // the element itself, which the parent found
    const member = findMember(key, desired);
    const here = `${path}${key.startsWith('f:') ? `.${key.slice(2)}` : `[${key.slice(2)}]`}`;
    if (member.found) out.push(...staleFields(sub, member.value, here));
    else out.push(here);
  }
  return out;
}

function findMember(key: string, desired: unknown): { found: boolean; value?: unknown } {
  const rest = key.slice(2);
  switch (key.slice(0, 2)) {
    case 'f:': {
      if (desired === null || typeof desired !== 'object' || Array.isArray(desired)) return { found: false };
      const o = desired as Record<string, unknown>;
      const value = o[rest] ?? o[`_${rest}`];
      return { found: value !== undefined, value };
    }
    case 'k:': {
      const keys = JSON.parse(rest) as Record<string, unknown>;
      const value = (Array.isArray(desired) ? desired : []).find((item: unknown) => matchesKeys(item, keys));
      return { found: value !== undefined, value };
    }
    case 'v:': {
      const v = JSON.parse(rest) as unknown;
      return { found: Array.isArray(desired) && desired.some((item) => looseEqual(item, v)) };
    }
    case 'i:': {
      const value = Array.isArray(desired) ? (desired as unknown[])[Number(rest)] : undefined;
      return { found: value !== undefined, value };
    }
    default:
      return { found: true, value: undefined }; // a form we do not know: never a reason to apply
  }
}

export type Drift = 'missing' | 'unmanaged' | 'differs' | 'stale';

/**
 * Why `desired` must be applied over `live`, or undefined when applying would change nothing:
 * missing (no live object), unmanaged (no field set of ours to judge by), differs (a field we
 * send has another value live), stale (we own a field we no longer send).
 */
export function drift(desired: KubernetesObject, live: KubernetesObject | undefined, manager = FIELD_MANAGER): Drift | undefined {
  if (!live) return 'missing';
  const owned = appliedFields(live, desired.apiVersion, manager);
  if (!owned) return 'unmanaged';
  // The informer is per kind, and listed (not watched) objects carry no apiVersion or kind.
  const { apiVersion: _v, kind: _k, ...fields } = desired;
  if (!isSubset(fields, live)) return 'differs';
  return staleFields(owned, desired).length ? 'stale' : undefined;
}

/** Deleting a child the spec no longer wants failed. */
export class PruneError extends ControllerError {
  override readonly name = 'PruneError';
}

export class Applier {
  private readonly api: KubernetesObjectApi;
  private readonly onApply: (kind: string) => void;

  constructor(kc: KubeConfig, onApply: (kind: string) => void = () => {}) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
    this.onApply = onApply;
  }

  async apply<T extends KubernetesObject>(desired: T, live?: KubernetesObject): Promise<T> {
    if (live && !drift(desired, live)) return live as T;
    this.onApply(desired.kind ?? 'Unknown');
    try {
      return await this.api.patch(desired, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    } catch (err) {
      // Said plainly: client-node's own message carries response headers (an audit id per request).
      const message = kindNotServed(err) ? `${desired.apiVersion} ${desired.kind} is not served by the apiserver (its CRD is not installed)` : errorMessage(err);
      throw new ApplyError(desired.kind ?? 'Unknown', desired.metadata?.name ?? '', httpStatus(err), message, { cause: err });
    }
  }

  /**
   * Server-side applies `desired` under another field manager, unforced: the replicas handover
   * (builders/replicas-handover.ts). A conflict means another manager (the HPA) already holds
   * the fields, so nothing needs holding: false. True when applied.
   */
  async applyAs(manager: string, desired: KubernetesObject): Promise<boolean> {
    this.onApply(desired.kind ?? 'Unknown');
    try {
      await this.api.patch(desired, undefined, undefined, manager, false, PatchStrategy.ServerSideApply);
      return true;
    } catch (err) {
      if (httpStatus(err) === 409) return false;
      throw new ApplyError(desired.kind ?? 'Unknown', desired.metadata?.name ?? '', httpStatus(err), errorMessage(err), { cause: err });
    }
  }

  /**
   * Deletes exactly the object we looked at (its uid as a precondition), its dependents in the
   * background. True when it was deleted; false when it was already gone or replaced.
   */
  async delete(target: { apiVersion: string; kind: string; metadata: { name: string; namespace: string } }, live: KubernetesObject): Promise<boolean> {
    const { apiVersion, kind, metadata } = target;
    try {
      const obj = { apiVersion, kind, metadata: { name: metadata.name, namespace: metadata.namespace } };
      await this.api.delete(obj, undefined, undefined, undefined, undefined, 'Background', { preconditions: { uid: live.metadata?.uid } });
      return true;
    } catch (err) {
      const status = httpStatus(err);
      if (status === 404 || status === 409) return false;
      throw new PruneError(`delete ${kind} ${metadata.name}: ${errorMessage(err)}`, { cause: err });
    }
  }
}
