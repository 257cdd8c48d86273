// Kubernetes Events for meaningful transitions, so `kubectl describe ic` tells the story.
import type { CoreV1Event, KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../constants.ts';
import { kubeRequests, objectPath, type KubeRequest } from './kube-requests.ts';
import type { Logger } from '../../shared/logger.ts';

export class EventRecorder {
  private readonly request: KubeRequest;
  private readonly log: Logger;
  private readonly identity: string;

  constructor(kc: KubeConfig, log: Logger, identity: string) {
    this.request = kubeRequests(kc);
    this.log = log;
    this.identity = identity;
  }

  async record(obj: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date();
    const namespace = obj.metadata!.namespace!;
    try {
      const body: CoreV1Event = {
        metadata: { generateName: `${obj.metadata!.name}.`, namespace },
        involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata!.name, namespace, uid: obj.metadata!.uid },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: FIELD_MANAGER },
        reportingComponent: FIELD_MANAGER,
        reportingInstance: this.identity,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      await this.request('POST', objectPath('v1', 'events', namespace), { body });
    } catch (err) {
      // Events are best effort: never fail a reconcile over one.
      this.log.error('could not record event', { reason, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
