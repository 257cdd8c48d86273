// The API's exposure on a real apiserver that serves the Gateway API's HTTPRoute CRD (from its Go
// module, dev/src/gateway-api-crds.ts): each built object passes the apiserver's validation, the
// operator creates the Ingress or HTTPRoute a cluster asks for and prunes it when the cluster stops
// asking, and asking for both is refused naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { ensureGatewayApiCrds } from '@sluice/devenv/gateway-api-crds';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { buildApiService } from '../../src/controller/builders/api.ts';
import { buildApiHttpRoute } from '../../src/controller/builders/api-http-route.ts';
import { buildApiIngress } from '../../src/controller/builders/api-ingress.ts';
import type { Manager } from '../../src/controller/runtime/manager.ts';
import { clusterManifest, pgSecret, startController } from '../support/controller.ts';
import { createNamespace, eventually, kubeConfig, kubectl, kubectlOk } from '../support/kube.ts';

let ns: Awaited<ReturnType<typeof createNamespace>>;
let manager: Manager;

beforeAll(async () => {
  const crds = await ensureGatewayApiCrds();
  await kubectlOk(['apply', '--server-side', '--field-manager=exposure-test', '-f', crds.httpRoutes]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/httproutes.gateway.networking.k8s.io']);
  ns = await createNamespace('expose');
  await kubectlOk(['apply', '-n', ns.name, '-f', '-'], pgSecret('web'));
  manager = await startController(ns.name);
}, 10 * 60_000);
afterAll(async () => {
  await manager?.stop();
  await ns?.remove();
});

const stores = { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000' } };
const exposed = (api: Record<string, unknown>) => defaultedCluster('web', 'placeholder', { stores, api } as never);
const withApi = (api: string) => clusterManifest('web', `  api:\n${api.replace(/^/gm, '    ')}\n`);
const exists = async (kind: string) => (await kubectl(['get', '-n', ns.name, kind, 'web-api', '-o', 'name'])).code === 0;

describe('spec.api exposure', () => {
  it.each([
    ['a LoadBalancer Service', () => buildApiService(exposed({ service: { type: 'LoadBalancer', annotations: { 'lb.example/scheme': 'internal' }, loadBalancerSourceRanges: ['203.0.113.0/24'] } }))],
    ['a NodePort Service', () => buildApiService(exposed({ service: { type: 'NodePort' } }))],
    ['an Ingress with TLS and class', () => buildApiIngress(exposed({ ingress: { className: 'nginx', host: 'docs.example.com', path: '/sluice', tlsSecretName: 'docs-tls' } }))],
    ['an HTTPRoute to two Gateways', () => buildApiHttpRoute(exposed({ httpRoute: { parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }, { name: 'internal' }], hostnames: ['docs.example.com', '*.docs.example.com'] } }))],
  ])('%s passes the apiserver\'s validation', async (_name, build) => {
    const obj = build() as KubernetesObject;
    // Owner references point at a cluster that does not exist here: validation is the point.
    const body = { ...obj, metadata: { ...obj.metadata, namespace: ns.name, ownerReferences: undefined } };
    const r = await kubectl(['create', '--dry-run=server', '-n', ns.name, '-f', '-'], JSON.stringify(body));
    expect(r.code, r.stderr).toBe(0);
  });

  it('creates the Ingress asked for, switches it for an HTTPRoute, and prunes both when neither is asked for', async () => {
    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], withApi('ingress: { host: docs.example.com, tlsSecretName: docs-tls }'));
    const ingress = await eventually('the Ingress', async () => (await exists('ingress')) && JSON.parse(await kubectlOk(['get', '-n', ns.name, 'ingress', 'web-api', '-o', 'json'])));
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'web-api', port: { name: 'http' } });
    expect(ingress.spec.tls).toEqual([{ hosts: ['docs.example.com'], secretName: 'docs-tls' }]);

    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], withApi('httpRoute: { parentRefs: [{ name: public, namespace: gateways }], hostnames: [docs.example.com] }'));
    await eventually('the HTTPRoute, and no Ingress', async () => (await exists('httproute')) && !(await exists('ingress')));

    await kubectlOk(['apply', '-n', ns.name, '-f', '-'], withApi('service: { type: NodePort }'));
    await eventually('neither', async () => !(await exists('httproute')) && !(await exists('ingress')));
    const svc = await kubeConfig().makeApiClient(CoreV1Api).readNamespacedService({ namespace: ns.name, name: 'web-api' });
    expect(svc.spec?.type).toBe('NodePort');
  });

  it('refuses a cluster asking for both, naming the field', async () => {
    const r = await kubectl(['apply', '-n', ns.name, '-f', '-'], withApi('ingress: { host: docs.example.com }\nhttpRoute: { parentRefs: [{ name: public }] }'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.api.httpRoute: Invalid value');
    expect(r.stderr).toContain('set at most one of ingress and httpRoute');
  });
});
