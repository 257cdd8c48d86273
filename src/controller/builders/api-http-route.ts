// A Gateway API HTTPRoute to the API Service, when spec.api.httpRoute asks for one. Pure.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { presentIf, type Absent } from './absent.ts';
import { childMeta, childName } from './names.ts';

export const HTTP_ROUTE_API_VERSION = 'gateway.networking.k8s.io/v1';

export interface HttpRoute extends KubernetesObject {
  spec: {
    parentRefs: { name: string; namespace?: string; sectionName?: string }[];
    hostnames?: string[];
    rules: { matches: { path: { type: 'PathPrefix'; value: string } }[]; backendRefs: { name: string; port: number }[] }[];
  };
}

export function buildApiHttpRoute(cluster: IngestionCluster): HttpRoute | Absent {
  const route = cluster.spec.api.httpRoute;
  return presentIf(route !== undefined, cluster, () => {
    const meta = childMeta(cluster, childName(cluster, 'api'), 'api');
    return {
      apiVersion: HTTP_ROUTE_API_VERSION,
      kind: 'HTTPRoute',
      metadata: { ...meta, ...(route?.annotations ? { annotations: route.annotations } : {}) },
      spec: {
        parentRefs: (route?.parentRefs ?? []).map((p) => ({ name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}), ...(p.sectionName ? { sectionName: p.sectionName } : {}) })),
        ...(route?.hostnames ? { hostnames: route.hostnames } : {}),
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: route?.path ?? '/' } }], backendRefs: [{ name: childName(cluster, 'api'), port: cluster.spec.api.port }] }],
      },
    };
  });
}
