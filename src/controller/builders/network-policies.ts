// Default-deny NetworkPolicies with the few flows the stack needs. Pure.
import type { V1NetworkPolicy, V1NetworkPolicyEgressRule, V1NetworkPolicyPort } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { LABEL_COMPONENT, LABEL_INSTANCE, LABEL_NAME, METRICS_PORT, REDIS_PORT } from '../constants.ts';
import { childMeta, childName, selectorLabels, type Component } from './names.ts';

const POSTGRES_PORT = 5432;

/** The TCP port of a URL, from its explicit port or its scheme. */
export function urlPort(url: string): number {
  const u = new URL(url);
  if (u.port) return Number(u.port);
  return u.protocol === 'https:' ? 443 : 80;
}

const tcp = (port: number | string): V1NetworkPolicyPort => ({ protocol: 'TCP', port: port as never });

const dns: V1NetworkPolicyEgressRule = {
  ports: [
    { protocol: 'UDP', port: 53 as never },
    { protocol: 'TCP', port: 53 as never },
  ],
};

function policy(cluster: IngestionCluster, component: Component, spec: Omit<NonNullable<V1NetworkPolicy['spec']>, 'podSelector'>): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(cluster, childName(cluster, component), component),
    spec: { podSelector: { matchLabels: selectorLabels(cluster, component) }, ...spec },
  };
}

export function buildNetworkPolicies(cluster: IngestionCluster): V1NetworkPolicy[] {
  const { spec } = cluster;
  const instance = { [LABEL_NAME]: 'sluice', [LABEL_INSTANCE]: cluster.metadata.name! };
  const toRedis: V1NetworkPolicyEgressRule =
    spec.redis.mode === 'Managed'
      ? { to: [{ podSelector: { matchLabels: selectorLabels(cluster, 'redis') } }], ports: [tcp(REDIS_PORT)] }
      : { ports: [tcp(REDIS_PORT)] }; // external Redis: its address is in a Secret we do not read
  // PostgreSQL's address lives in a Secret too, so egress to it is by its well-known port.
  const stores = [tcp(POSTGRES_PORT), tcp(urlPort(spec.stores.chroma.url))];
  const embedding = spec.embedding.endpoint ? [tcp(urlPort(spec.embedding.endpoint))] : [];
  const defaultDeny: V1NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(cluster, childName(cluster, 'default-deny'), 'config'),
    spec: { podSelector: { matchLabels: instance }, policyTypes: ['Ingress', 'Egress'] },
  };
  const appPods = {
    podSelector: {
      matchLabels: instance,
      matchExpressions: [{ key: LABEL_COMPONENT, operator: 'In', values: ['api', 'worker'] }],
    },
  };
  return [
    defaultDeny,
    policy(cluster, 'redis', { policyTypes: ['Ingress'], ingress: [{ _from: [appPods], ports: [tcp(REDIS_PORT)] }] }),
    policy(cluster, 'api', {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [tcp(spec.api.port), tcp(METRICS_PORT)] }],
      egress: [dns, toRedis, { ports: [...stores, ...embedding] }],
    }),
    policy(cluster, 'worker', {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [tcp(METRICS_PORT)] }],
      // Fetching IngestionJob sources: by port, as their addresses are in jobs, not here.
      egress: [dns, toRedis, { ports: [...stores, ...embedding, ...spec.workers.fetch.ports.map(tcp)] }],
    }),
  ];
}
