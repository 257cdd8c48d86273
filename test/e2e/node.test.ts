// The one-machine node runs real pods: a Deployment's pods get 198.18.x addresses, a ClusterIP
// Service answers from the host through kube-proxy, and cluster DNS resolves it from inside a pod.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNamespace, eventually, kubectl, kubectlOk } from '../support/kube.ts';
import { COREDNS_IMAGE } from '@sluice/devenv/node/images';
import { SERVICE_CIDR } from '@sluice/devenv/node/config';
import { LOOKUP_IMAGE } from './setup/images.ts';

const restricted = {
  securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
  container: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
};

/** 198.18.0.0/24 → a test for "is this IPv4 address in it". */
function inCidr(cidr: string): (ip: string) => boolean {
  const [base, bits] = cidr.split('/');
  const n = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return (ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip) && Math.floor(n(ip) / size) === Math.floor(n(base!) / size);
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

let ns: Awaited<ReturnType<typeof createNamespace>>;
beforeAll(async () => {
  ns = await createNamespace('e2e-node');
  // Pods need the namespace's default ServiceAccount, which the controller manager makes.
  await eventually('the default ServiceAccount', async () => (await kubectl(['-n', ns.name, 'get', 'serviceaccount', 'default'])).code === 0);
});
afterAll(async () => ns.remove());

describe('a real node', () => {
  it('runs a Deployment whose Service answers from the host and resolves by name from a pod', async () => {
    const labels = { app: 'echo' };
    const objects = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'echo' }, data: { Corefile: '.:1053 {\n    whoami\n    health :8080\n}\n' } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'echo' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              securityContext: restricted.securityContext,
              automountServiceAccountToken: false,
              containers: [
                {
                  name: 'echo',
                  image: COREDNS_IMAGE,
                  imagePullPolicy: 'Never',
                  args: ['-conf', '/etc/coredns/Corefile'],
                  ports: [{ name: 'http', containerPort: 8080 }],
                  readinessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 1 },
                  securityContext: restricted.container,
                  volumeMounts: [{ name: 'config', mountPath: '/etc/coredns' }],
                },
              ],
              volumes: [{ name: 'config', configMap: { name: 'echo' } }],
            },
          },
        },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
    ];
    await kubectlOk(['-n', ns.name, 'apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));

    const podCidr = inject('nodePodCidr');
    const ips = await eventually('two Running, Ready echo pods', async () => {
      const pods = JSON.parse(await kubectlOk(['-n', ns.name, 'get', 'pods', '-l', 'app=echo', '-o', 'json'])) as {
        items: { status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] } }[];
      };
      const ready = pods.items.filter((p) => p.status.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 2 && ready.map((p) => p.status.podIP ?? '');
    }, 90_000, 500);
    expect(podCidr).toMatch(/^198\.18\.\d+\.0\/24$/);
    for (const ip of ips) expect(inCidr(podCidr)(ip), `${ip} in ${podCidr}`).toBe(true);

    const clusterIp = (await kubectlOk(['-n', ns.name, 'get', 'service', 'echo', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(inCidr(SERVICE_CIDR)(clusterIp), `${clusterIp} in ${SERVICE_CIDR}`).toBe(true);
    // From the host, through kube-proxy's nftables rules to a pod.
    const res = await eventually('the Service to answer from the host', () => httpGet(`http://${clusterIp}/health`).then((r) => r.status === 200 && r), 30_000, 250);
    expect(res.body).toBe('OK');

    // From a pod: libc's resolver with the kubelet's resolv.conf (cluster DNS, search path).
    await kubectlOk(['-n', ns.name, 'apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'lookup' },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        securityContext: { ...restricted.securityContext, runAsUser: 65534 },
        containers: [{ name: 'lookup', image: LOOKUP_IMAGE, imagePullPolicy: 'Never', args: ['hosts', 'echo', `echo.${ns.name}.svc.cluster.local`], securityContext: restricted.container }],
      },
    }));
    const phase = await eventually('the lookup pod to finish', async () => {
      const p = (await kubectlOk(['-n', ns.name, 'get', 'pod', 'lookup', '-o', 'jsonpath={.status.phase}'])).trim();
      return (p === 'Succeeded' || p === 'Failed') && p;
    }, 60_000, 500);
    const logs = await kubectlOk(['-n', ns.name, 'logs', 'lookup']);
    expect(phase, logs).toBe('Succeeded');
    // getent prints one line per name: "<ip> <canonical name>".
    const lines = logs.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.split(/\s+/)[0]).toBe(clusterIp);
  });
});
