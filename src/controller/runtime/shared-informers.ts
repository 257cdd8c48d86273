// The informers of every controller, one per kind and label selector: two controllers watching
// the same kind share one watch and one cache, as with controller-runtime's shared cache.
import { KubernetesObjectApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.ts';
import { FIELD_MANAGER } from '../constants.ts';
import { keepAppliedOnly } from './applied-only.ts';
import type { Informer } from './informer.ts';
import { NamespacedInformers } from './namespaced-informers.ts';
import { ResilientInformer } from './resilient-informer.ts';
import { collectionPath, kindNotServed, type KindRef } from './kind-ref.ts';

export interface SharedInformersOptions {
  kc: KubeConfig;
  log: Logger;
  /** Watch these namespaces only, each with its own watch; all namespaces when left out. */
  namespaces?: readonly string[];
  onHealth?: (resource: string, up: boolean) => void;
}

export class SharedInformers {
  private readonly options: SharedInformersOptions;
  private readonly objects: KubernetesObjectApi;
  private readonly informers = new Map<string, Informer<KubernetesObject>>();

  constructor(options: SharedInformersOptions) {
    this.options = options;
    this.objects = KubernetesObjectApi.makeApiClient(options.kc);
  }

  /** The informer of a kind (label-selected if asked), created on first use. */
  for<T extends KubernetesObject>(kind: KindRef<T>, labelSelector?: string): Informer<T> {
    const id = `${kind.apiVersion}/${kind.kind}?${labelSelector ?? ''}`;
    let inf = this.informers.get(id);
    if (!inf) {
      const { namespaces } = this.options;
      inf =
        namespaces === undefined
          ? this.watch(kind, undefined, labelSelector)
          : namespaces.length === 1
            ? this.watch(kind, namespaces[0], labelSelector)
            : new NamespacedInformers(new Map(namespaces.map((ns) => [ns, this.watch(kind, ns, labelSelector)])));
      this.informers.set(id, inf);
    }
    return inf as unknown as Informer<T>;
  }

  /** One watch of a kind, in one namespace or all of them. */
  private watch(kind: KindRef, namespace: string | undefined, labelSelector: string | undefined): Informer<KubernetesObject> {
    const { log, onHealth } = this.options;
    const resource = kind.plural;
    const list = () =>
      this.objects.list(kind.apiVersion, kind.kind, namespace, undefined, undefined, undefined, undefined, labelSelector) as Promise<KubernetesListObject<KubernetesObject>>;
    return new ResilientInformer<KubernetesObject>(this.options.kc, resource, collectionPath(kind, namespace), list, {
      ...(labelSelector ? { labelSelector } : {}),
      log,
      // With several namespaces the gauge is per resource: up while every namespace's watch is.
      onHealth: (up) => onHealth?.(resource, up && this.kindHealthy(kind, labelSelector)),
      transform: kind.appliedOnly ? (o) => withoutLastApplied(keepAppliedOnly(o)) : keepOwnAppliedFieldsOf,
      ...(kind.optional ? { isNotServed: kindNotServed } : {}),
    });
  }

  private kindHealthy(kind: KindRef, labelSelector: string | undefined): boolean {
    const inf = this.informers.get(`${kind.apiVersion}/${kind.kind}?${labelSelector ?? ''}`);
    return !(inf instanceof NamespacedInformers) || inf.isHealthy;
  }

  /** Every informer is watching, or (for an optional kind) knows its kind is not served. */
  get healthy(): boolean {
    return [...this.informers.values()].every((i) => i.isHealthy || i.isNotServed);
  }

  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}

/**
 * Keeps, of an object's managedFields, only the operator's own server-side-apply entry: the
 * field set drift is judged on (apply.ts). Other managers' entries (the controller-manager's,
 * kubectl's, status writers') are most of an object's metadata and never read here.
 */
export function keepOwnAppliedFields(obj: KubernetesObject): void {
  const m = obj.metadata;
  if (!m?.managedFields) return;
  const own = m.managedFields.filter((e) => e.manager === FIELD_MANAGER && e.operation === 'Apply' && !e.subresource);
  if (own.length) m.managedFields = own;
  else delete m.managedFields;
}

const keepOwnAppliedFieldsOf = (obj: KubernetesObject) => {
  keepOwnAppliedFields(obj);
  return withoutLastApplied(obj);
};

/** kubectl's copy of the object as last applied client-side, as large as the object itself. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops LAST_APPLIED from the object's annotations: `kubectl apply` (and Argo CD's default,
 * client-side apply) puts it on every IngestionCluster and IngestionJob, and nothing here reads it.
 */
export function withoutLastApplied(obj: KubernetesObject): KubernetesObject {
  const annotations = obj.metadata?.annotations;
  if (annotations?.[LAST_APPLIED] === undefined) return obj;
  const { [LAST_APPLIED]: _dropped, ...rest } = annotations;
  if (Object.keys(rest).length) obj.metadata!.annotations = rest;
  else delete obj.metadata!.annotations;
  return obj;
}
