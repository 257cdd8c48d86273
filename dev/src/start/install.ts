// Sluice installed on the local node the way a user installs it (README, "Images without Docker,
// and the dev stores"): the node's volumes, `kubectl apply -k manifests/dev`, `kubectl apply -k .`
// and the examples in namespace `docs`, through manifests/dev/examples (the examples with the
// Redis image built here).
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { localVolumes } from '../node/local-volumes.ts';
import { eventually } from '../net.ts';

/** Runs the control plane's kubectl; rejects with its stderr unless it exits 0. */
export type Kubectl = (args: string[], input?: string) => Promise<string>;

export const EXAMPLES_NAMESPACE = 'docs';

interface Manifest {
  kind?: string;
  spec?: { chunking?: { chunkSize?: number; chunkOverlap?: number }; sources?: { objectStore?: { endpoint?: string } } };
}

/** Small enough that a search over the 3-page example PDF names one page, not all three. */
export const DEMO_CHUNKING = { chunkSize: 200, chunkOverlap: 20 };

/**
 * The examples overlay as `kubectl kustomize` renders it, with two changes: the IngestionJob's
 * object store at `s3Endpoint` (the committed example names http://127.0.0.1:8333, which inside
 * a pod is the pod itself), and the IngestionCluster chunking by DEMO_CHUNKING.
 */
export async function renderExamples(kubectl: Kubectl, repo: string, s3Endpoint: string): Promise<object[]> {
  const list = parseAllDocuments(await kubectl(['kustomize', join(repo, 'manifests/dev/examples')])).map((d) => d.toJS() as Manifest);
  const jobs = list.filter((m) => m.kind === 'IngestionJob' && m.spec?.sources?.objectStore);
  const clusters = list.filter((m) => m.kind === 'IngestionCluster' && m.spec);
  if (jobs.length === 0 || clusters.length === 0) throw new Error('manifests/dev/examples must hold an IngestionCluster and an IngestionJob with an objectStore source');
  for (const j of jobs) j.spec!.sources!.objectStore!.endpoint = s3Endpoint;
  for (const c of clusters) c.spec!.chunking = DEMO_CHUNKING;
  return list;
}

/**
 * What every install on the local node starts with (npm start and the e2e tests): the node's
 * volumes, the dev stores, Sluice itself with `kubectl apply -k .`, and its CRDs established.
 */
export async function installBase(kubectl: Kubectl, repo: string): Promise<void> {
  // The node has no volume provisioner: Managed Redis's claim binds to one of these.
  await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: localVolumes() }));
  await kubectl(['apply', '-k', join(repo, 'manifests/dev')]);
  await kubectl(['apply', '-k', repo]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/ingestionclusters.sluice.dev', 'crd/ingestionjobs.sluice.dev']);
}

export async function installSluice(kubectl: Kubectl, repo: string, s3Endpoint: string): Promise<void> {
  await installBase(kubectl, repo);
  await kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: EXAMPLES_NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
  }));
  // Pods of a namespace are refused until the controller manager has made its ServiceAccount.
  await eventually('the docs namespace\'s default ServiceAccount', async () => (await kubectl(['-n', EXAMPLES_NAMESPACE, 'get', 'serviceaccount', 'default'])) !== '', 30_000, 250);
  const examples = await renderExamples(kubectl, repo, s3Endpoint);
  await kubectl(['-n', EXAMPLES_NAMESPACE, 'apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: examples }));
}
