// How an IngestionCluster's API is reached from outside the cluster: its Service's type, and an
// Ingress or a Gateway API HTTPRoute in front of it.
import { objectName } from './common.ts';
import { arr, enumOf, mapOf, obj, optional, str } from './schema.ts';

const HOSTNAME = '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const PATH = '^/[^\\s]*$';

const annotations = (on: string) => optional(mapOf(str({ description: 'Annotation value.' }), { description: `Annotations of the ${on}.`, maxProperties: 32 }));
const hostname = (description: string) => str({ description, minLength: 1, maxLength: 253, pattern: HOSTNAME });
const path = () => str({ description: 'Path prefix under which the API is served.', default: '/', maxLength: 1024, pattern: PATH });

export const apiService = () =>
  obj(
    {
      type: enumOf(['ClusterIP', 'NodePort', 'LoadBalancer'] as const, { description: 'Type of the API Service.', default: 'ClusterIP' }),
      annotations: annotations('API Service, e.g. a cloud load balancer\'s settings'),
      loadBalancerSourceRanges: optional(
        arr(str({ description: 'A CIDR, e.g. 203.0.113.0/24.', maxLength: 64 }), { description: 'Client ranges a LoadBalancer Service admits (where the provider supports it).', maxItems: 64 }),
      ),
    },
    { description: 'The API Service.', default: {} },
  );

export const apiIngress = () =>
  obj(
    {
      className: optional(str({ description: 'IngressClass; the cluster\'s default class when left out.', maxLength: 253 })),
      host: hostname('Host name the API is served at.'),
      path: path(),
      tlsSecretName: optional(objectName('Secret of type kubernetes.io/tls for host; plain HTTP when left out.')),
      annotations: annotations('Ingress. Uploads reach maxUploadBytes: an NGINX ingress needs nginx.ingress.kubernetes.io/proxy-body-size at least that large'),
    },
    { description: 'An Ingress <name>-api in front of the API Service.' },
  );

export const apiHttpRoute = () =>
  obj(
    {
      parentRefs: arr(
        obj(
          {
            name: objectName('Name of the Gateway.'),
            namespace: optional(objectName('Namespace of the Gateway; the cluster\'s own when left out.')),
            sectionName: optional(str({ description: 'Listener of the Gateway.', minLength: 1, maxLength: 253 })),
          },
          { description: 'A Gateway to attach to.' },
        ),
        { description: 'Gateways the route attaches to; TLS is configured on their listeners.', minItems: 1, maxItems: 8 },
      ),
      hostnames: optional(arr(hostname('A host name.'), { description: 'Host names the route matches; all of the listener\'s when left out.', maxItems: 16 })),
      path: path(),
      annotations: annotations('HTTPRoute'),
    },
    { description: 'A Gateway API HTTPRoute <name>-api to the API Service (gateway.networking.k8s.io/v1; the Gateway API CRDs must be installed).' },
  );
