// The kinds the operator's controllers reconcile and own.
import { API_VERSION } from '../crd/common.ts';
import type { IngestionCluster } from '../crd/ingestion-cluster.ts';
import type { IngestionJob } from '../crd/ingestion-job.ts';
import { childKind, kindRef, type KindRef } from './runtime/kind-ref.ts';

export const INGESTION_CLUSTER = kindRef<IngestionCluster, 'IngestionCluster'>(API_VERSION, 'IngestionCluster', 'ingestionclusters');
export const INGESTION_JOB = kindRef<IngestionJob, 'IngestionJob'>(API_VERSION, 'IngestionJob', 'ingestionjobs');

/** The kinds an IngestionCluster owns. */
export const CLUSTER_CHILD_KINDS: KindRef[] = [
  childKind('v1', 'ConfigMap', 'configmaps'),
  childKind('v1', 'ServiceAccount', 'serviceaccounts'),
  childKind('v1', 'Service', 'services'),
  childKind('apps/v1', 'Deployment', 'deployments'),
  childKind('apps/v1', 'StatefulSet', 'statefulsets'),
  childKind('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  childKind('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  childKind('networking.k8s.io/v1', 'Ingress', 'ingresses'),
  // The Gateway API's: watched so that removing spec.api.httpRoute deletes it; absent without its CRDs.
  childKind('gateway.networking.k8s.io/v1', 'HTTPRoute', 'httproutes', true),
  // KEDA mode's: watched so that a switch away from KEDA prunes them; absent without KEDA.
  childKind('keda.sh/v1alpha1', 'ScaledObject', 'scaledobjects', true),
  childKind('keda.sh/v1alpha1', 'TriggerAuthentication', 'triggerauthentications', true),
];
