// An Ingress in front of the API Service, when spec.api.ingress asks for one. Pure.
import type { V1Ingress } from '@kubernetes/client-node';
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { presentIf, type Absent } from './absent.ts';
import { childMeta, childName } from './names.ts';

export function buildApiIngress(cluster: IngestionCluster): V1Ingress | Absent {
  const ingress = cluster.spec.api.ingress;
  return presentIf(ingress !== undefined, cluster, () => {
    const host = ingress?.host ?? '';
    const meta = childMeta(cluster, childName(cluster, 'api'), 'api');
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { ...meta, ...(ingress?.annotations ? { annotations: ingress.annotations } : {}) },
      spec: {
        ...(ingress?.className ? { ingressClassName: ingress.className } : {}),
        ...(ingress?.tlsSecretName ? { tls: [{ hosts: [host], secretName: ingress.tlsSecretName }] } : {}),
        rules: [
          {
            host,
            http: { paths: [{ path: ingress?.path ?? '/', pathType: 'Prefix', backend: { service: { name: childName(cluster, 'api'), port: { name: 'http' } } } }] },
          },
        ],
      },
    };
  });
}
