// The writes of one cluster reconcile to its children: applies (as the operator's field manager,
// or as another), deletes of what the spec no longer wants, and what each returned. A failed
// write does not stop the others: it is kept, reported in status, and thrown at the end.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import type { Absent } from '../builders/absent.ts';
import { childName, type Component } from '../builders/names.ts';
import { PruneError, type Applier } from '../runtime/apply.ts';
import { ApplyError, errorMessage, httpStatus } from '../runtime/errors.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';

export interface ChildWritesDeps {
  getChild(kind: string, namespace: string, name: string): KubernetesObject | undefined;
  applier: Applier;
  events: Pick<EventRecorder, 'record'>;
}

/** Only what this cluster controls is ever deleted: its uid in a controller ownerReference. */
export const controlledBy = (obj: KubernetesObject, cluster: IngestionCluster): boolean =>
  obj.metadata?.ownerReferences?.some((r) => r.controller === true && r.uid === cluster.metadata.uid) ?? false;

const asApplyError = (obj: KubernetesObject, err: unknown) =>
  err instanceof ApplyError ? err : new ApplyError(obj.kind!, obj.metadata!.name!, httpStatus(err), errorMessage(err));

export class ChildWrites {
  readonly errors: (ApplyError | PruneError)[] = [];
  private readonly applied = new Map<string, KubernetesObject>();
  private readonly deps: ChildWritesDeps;
  private readonly cluster: IngestionCluster;

  constructor(deps: ChildWritesDeps, cluster: IngestionCluster) {
    this.deps = deps;
    this.cluster = cluster;
  }

  private live(kind: string, name: string): KubernetesObject | undefined {
    return this.deps.getChild(kind, this.cluster.metadata.namespace!, name);
  }

  /** Server-side applies `obj` unless the cached live object already is what it would apply. */
  async apply(obj: KubernetesObject): Promise<void> {
    try {
      this.applied.set(`${obj.kind}/${obj.metadata!.name}`, await this.deps.applier.apply(obj, this.live(obj.kind!, obj.metadata!.name!)));
    } catch (err) {
      this.errors.push(asApplyError(obj, err));
    }
  }

  /** Applies `obj` under another field manager (the replicas handover). */
  async applyAs(manager: string, obj: KubernetesObject): Promise<void> {
    await this.deps.applier.applyAs(manager, obj).catch((err: unknown) => void this.errors.push(asApplyError(obj, err)));
  }

  /** Deletes the object `absent` names if it exists, is not being deleted, and this cluster controls it. */
  async prune(absent: Absent): Promise<void> {
    const live = this.live(absent.kind, absent.metadata.name);
    // Already being deleted (another's finalizer holds it): deleting again would only repeat the Event.
    if (!live || live.metadata?.deletionTimestamp || !controlledBy(live, this.cluster)) return;
    try {
      if (await this.deps.applier.delete(absent, live)) {
        await this.deps.events.record(this.cluster, 'Normal', 'Pruned', `Deleted ${absent.kind} ${absent.metadata.name}: the spec no longer asks for it.`);
      }
    } catch (err) {
      this.errors.push(err instanceof PruneError ? err : new PruneError(`delete ${absent.kind} ${absent.metadata.name}: ${errorMessage(err)}`, { cause: err }));
    }
  }

  /** A component's workload as just applied, or as cached when it was not. */
  workload<T extends KubernetesObject>(kind: 'Deployment' | 'StatefulSet', component: Component): T | undefined {
    const name = childName(this.cluster, component);
    return (this.applied.get(`${kind}/${name}`) ?? this.live(kind, name)) as T | undefined;
  }
}
