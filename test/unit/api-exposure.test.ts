// The API's exposure: its Service's type, and an Ingress or an HTTPRoute in front of it. Pure.
import { describe, expect, it } from 'vitest';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { isAbsent } from '../../src/controller/builders/absent.ts';
import { buildApiService } from '../../src/controller/builders/api.ts';
import { buildApiHttpRoute } from '../../src/controller/builders/api-http-route.ts';
import { buildApiIngress } from '../../src/controller/builders/api-ingress.ts';

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const cluster = (api: Record<string, unknown> = {}) => defaultedCluster('docs', 'team-a', { stores, api } as never);

describe('buildApiService', () => {
  it.each([
    ['ClusterIP by default', {}, { type: 'ClusterIP' }, undefined],
    ['a load balancer with its annotations and source ranges', { service: { type: 'LoadBalancer', annotations: { 'lb.example/internal': 'true' }, loadBalancerSourceRanges: ['203.0.113.0/24'] } }, { type: 'LoadBalancer', loadBalancerSourceRanges: ['203.0.113.0/24'] }, { 'lb.example/internal': 'true' }],
    ['source ranges only where they mean something', { service: { type: 'NodePort', loadBalancerSourceRanges: ['203.0.113.0/24'] } }, { type: 'NodePort' }, undefined],
  ])('%s', (_name, api, spec, annotations) => {
    const s = buildApiService(cluster(api));
    expect(s.spec).toEqual({ ...spec, selector: expect.any(Object), ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }] });
    expect(s.metadata?.annotations).toEqual(annotations);
  });
});

describe('buildApiIngress', () => {
  it('is absent unless asked for', () => {
    expect(isAbsent(buildApiIngress(cluster()))).toBe(true);
  });

  it('routes the host to the API Service by port name, with TLS and class when given', () => {
    const i = buildApiIngress(cluster({ ingress: { className: 'nginx', host: 'docs.example.com', tlsSecretName: 'docs-tls', annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '100m' } } }));
    expect(i).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'docs-api', namespace: 'team-a', annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '100m' } },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['docs.example.com'], secretName: 'docs-tls' }],
        rules: [{ host: 'docs.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'docs-api', port: { name: 'http' } } } }] } }],
      },
    });
  });

  it('leaves class and TLS to the cluster when not given', () => {
    const i = buildApiIngress(cluster({ ingress: { host: 'docs.example.com', path: '/sluice' } }));
    expect(i).not.toHaveProperty('spec.ingressClassName');
    expect(i).not.toHaveProperty('spec.tls');
    expect(i).toHaveProperty('spec.rules.0.http.paths.0.path', '/sluice');
  });
});

describe('buildApiHttpRoute', () => {
  it('is absent unless asked for', () => {
    expect(isAbsent(buildApiHttpRoute(cluster()))).toBe(true);
  });

  it('attaches to the Gateways and routes the prefix to the API port', () => {
    const r = buildApiHttpRoute(cluster({ port: 8443, httpRoute: { parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }], hostnames: ['docs.example.com'] } }));
    expect(r).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'docs-api', namespace: 'team-a' },
      spec: {
        parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }],
        hostnames: ['docs.example.com'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'docs-api', port: 8443 }] }],
      },
    });
  });
});
