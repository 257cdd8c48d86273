// The operator's NetworkPolicies, enforced on the real node by kube-router: each flow the system
// needs is admitted and each other one refused. Every target is checked both ways, from a pod its
// policy admits and from one it does not, so a refusal is the policy's and not a wrong address.
// Connections are made from inside the pods (`kubectl exec … node`) to ClusterIPs, so the verdict is
// on the translated pod address and port, as the enforcer sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlOk } from '../support/kube.ts';
import { APISERVER_PORT } from '@sluice/devenv/node/config';
import { installCluster, installSystem, readyPods, type Pod, type TestCluster } from './support/system.ts';

const log = (s: string) => console.log(`[network-policy] ${s}`);
const STRANGER = 'stranger';

/** Prints `connected` or the error's code: one TCP connection attempt from inside a pod, 3 s at most. */
const CONNECT = `
const [host, port] = process.argv.slice(1);
const s = require('node:net').connect({ host, port: Number(port), timeout: 3000 });
s.on('connect', () => { console.log('connected'); s.destroy(); });
s.on('timeout', () => { console.log('ETIMEDOUT'); s.destroy(); });
s.on('error', (e) => console.log(e.code ?? e.message));
`;

let cluster: TestCluster;
let worker: Pod;
let api: Pod;
const ips: Record<'redis' | 'api' | 'kubernetes' | 'postgres' | 'chroma' | 'workerPod', string> = { redis: '', api: '', kubernetes: '', postgres: '', chroma: '', workerPod: '' };

async function clusterIp(ns: string, name: string): Promise<string> {
  return (await kubectlOk(['-n', ns, 'get', 'service', name, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
}

let apiPort = 0;

async function connect(pod: Pod, container: string, host: string, port: number): Promise<string> {
  return (await kubectlOk(['-n', pod.metadata.namespace, 'exec', pod.metadata.name, '-c', container, '--', 'node', '-e', CONNECT, host, String(port)])).trim();
}

beforeAll(async () => {
  await installSystem(log);
  cluster = await installCluster('e2e-netpol', (spec) => {
    const small = (cpu: string, memory: string, limit: string) => ({ requests: { cpu, memory }, limits: { memory: limit } });
    spec.api = { ...(spec.api as object), replicas: 1, resources: small('50m', '128Mi', '512Mi') };
    spec.workers = { ...(spec.workers as object), replicas: 1, resources: small('50m', '256Mi', '1Gi') };
    spec.autoscaling = { mode: 'None' };
  });
  await cluster.ready();
  const ns = cluster.ns;
  worker = (await readyPods(ns, 'app.kubernetes.io/component=worker', 1))[0]!;
  api = (await readyPods(ns, 'app.kubernetes.io/component=api', 1))[0]!;
  // A pod of no component, in the same namespace: no policy selects it, and no policy names it.
  const image = (JSON.parse(await kubectlOk(['-n', ns, 'get', 'pod', worker.metadata.name, '-o', 'json'])) as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image;
  await kubectlOk(['-n', ns, 'apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: STRANGER, labels: { 'app.kubernetes.io/name': 'stranger' } },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: STRANGER,
        image,
        imagePullPolicy: 'Never',
        command: ['node', '-e', 'setInterval(() => {}, 1 << 30)'],
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
      }],
    },
  }));
  await readyPods(ns, 'app.kubernetes.io/name=stranger', 1);
  Object.assign(ips, {
    redis: await clusterIp(ns, `${cluster.name}-redis`),
    api: await clusterIp(ns, `${cluster.name}-api`),
    kubernetes: await clusterIp('default', 'kubernetes'),
    postgres: await clusterIp('db', 'postgres'),
    chroma: await clusterIp('chroma', 'chroma'),
    workerPod: (await kubectlOk(['-n', ns, 'get', 'pod', worker.metadata.name, '-o', 'jsonpath={.status.podIP}'])).trim(),
  });
  apiPort = Number(await kubectlOk(['-n', ns, 'get', 'service', `${cluster.name}-api`, '-o', 'jsonpath={.spec.ports[0].port}']));
  log(`targets ${JSON.stringify(ips)}, API port ${apiPort}`);
}, 20 * 60_000);
afterAll(async () => cluster?.remove());

const stranger = (): Pod => ({ ...worker, metadata: { ...worker.metadata, name: STRANGER } });

describe('NetworkPolicies enforced by kube-router on the real node', () => {
  it('Redis admits the API and the worker, and refuses any other pod', async () => {
    expect(await connect(worker, 'worker', ips.redis, 6379)).toBe('connected');
    expect(await connect(api, 'api', ips.redis, 6379)).toBe('connected');
    // By name too, as the pods' configuration has it: DNS is admitted to both.
    expect(await connect(worker, 'worker', `${cluster.name}-redis.${cluster.ns}.svc.cluster.local`, 6379)).toBe('connected');
    expect(await connect(stranger(), STRANGER, ips.redis, 6379)).not.toBe('connected');
  });

  it('the worker reaches its stores, and nothing else: not the API, not the Kubernetes API', async () => {
    // The worker's policy admits its fetch ports to any address: the refusals below mean
    // something only if the API's and the apiserver's ports (after translation) are not among them.
    const fetchPorts = JSON.parse(await kubectlOk(['-n', cluster.ns, 'get', 'ic', cluster.name, '-o', 'jsonpath={.spec.workers.fetch.ports}'])) as number[];
    expect(fetchPorts).not.toContain(apiPort);
    expect(fetchPorts).not.toContain(APISERVER_PORT);
    expect(await connect(worker, 'worker', ips.postgres, 5432)).toBe('connected');
    expect(await connect(worker, 'worker', ips.chroma, 8000)).toBe('connected');
    // Both answer others: the API any pod, the Kubernetes API the operator (whose pods are Ready).
    expect(await connect(stranger(), STRANGER, ips.api, apiPort)).toBe('connected');
    expect(await connect(stranger(), STRANGER, ips.kubernetes, 443)).toBe('connected');
    expect(await connect(worker, 'worker', ips.api, apiPort)).not.toBe('connected');
    expect(await connect(worker, 'worker', ips.kubernetes, 443)).not.toBe('connected');
  });

  it('the worker admits only its metrics port, and the API reaches no worker', async () => {
    expect(await connect(stranger(), STRANGER, ips.workerPod, 9090)).toBe('connected');
    expect(await connect(api, 'api', ips.workerPod, 9090)).not.toBe('connected');
  });
});
