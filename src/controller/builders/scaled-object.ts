// KEDA mode: the ScaledObject that has KEDA's HPA own the worker Deployment's replicas. Pure.
//
// The trigger is KEDA's metrics-api on the cluster API's GET /v1/queue, reading `depth`: waiting
// plus due retries plus in flight (and job documents ready to dispatch). KEDA's redis triggers
// count one list each (LLEN of BullMQ's wait list), so workers were scaled down in the middle of
// long documents (keda#1663): with several triggers the HPA takes the largest, never the sum of
// waiting and active. Going through the API also keeps the rule that only the data plane talks
// to Redis, and KEDA is handed a bearer key to the API rather than Redis's password.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { clusterApiUrl } from '../cluster-api/cluster-api.ts';
import { childMeta, childName } from './names.ts';
import { KEDA_API_VERSION } from './trigger-authentication.ts';

/** KEDA stops autoscaling, removes its HPA and holds the target at this count while it is set. */
export const KEDA_PAUSED_REPLICAS = 'autoscaling.keda.sh/paused-replicas';

interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }[];
}

/** The fields of keda.sh/v1alpha1 ScaledObject that Sluice sets. */
export interface ScaledObject extends KubernetesObject {
  apiVersion: typeof KEDA_API_VERSION;
  kind: 'ScaledObject';
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    pollingInterval: number;
    cooldownPeriod: number;
    fallback: { failureThreshold: number; replicas: number };
    advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleUp: ScalingRules; scaleDown: ScalingRules } } };
    triggers: {
      type: 'metrics-api';
      name: string;
      metricType: 'AverageValue';
      metadata: Record<string, string>;
      authenticationRef: { kind: 'TriggerAuthentication'; name: string };
    }[];
  };
}

/** The name of the trigger, and so of the external metric KEDA serves the HPA. */
export const QUEUE_DEPTH_TRIGGER = 'queue-depth';

export function buildScaledObject(cluster: IngestionCluster): ScaledObject {
  const { autoscaling: a, suspend } = cluster.spec;
  const meta = childMeta(cluster, childName(cluster, 'worker'), 'worker');
  // Suspended, the operator holds the workers at 0 and the API is down: unpaused, KEDA would
  // count failed reads and start fallback.replicas workers against it.
  return {
    apiVersion: KEDA_API_VERSION,
    kind: 'ScaledObject',
    metadata: suspend ? { ...meta, annotations: { [KEDA_PAUSED_REPLICAS]: '0' } } : meta,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: childName(cluster, 'worker') },
      minReplicaCount: a.minReplicas,
      maxReplicaCount: a.maxReplicas,
      pollingInterval: a.pollingIntervalSeconds,
      cooldownPeriod: a.cooldownSeconds,
      fallback: { failureThreshold: a.fallback.failureThreshold, replicas: a.fallback.replicas },
      advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleUp: rules(a.scaleUp), scaleDown: rules(a.scaleDown) } } },
      triggers: [
        {
          type: 'metrics-api',
          name: QUEUE_DEPTH_TRIGGER,
          // Desired replicas = depth / targetValue, the HPA's AverageValue arithmetic; fallback
          // also requires it.
          metricType: 'AverageValue',
          metadata: {
            url: `${clusterApiUrl(cluster)}/v1/queue`,
            format: 'json',
            valueLocation: 'depth',
            targetValue: String(a.targetDepthPerWorker),
            // KEDA activates (0 → 1) when the value is above this.
            activationTargetValue: String(a.activationDepth),
            authMode: 'bearer',
          },
          authenticationRef: { kind: 'TriggerAuthentication', name: childName(cluster, 'worker') },
        },
      ],
    },
  };
}

const rules = (r: ScalingRules): ScalingRules => ({
  stabilizationWindowSeconds: r.stabilizationWindowSeconds,
  selectPolicy: r.selectPolicy,
  policies: r.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })),
});
