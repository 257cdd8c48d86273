// IngestionJobs and a ready IngestionCluster on the test control plane, for the job controller's
// integration tests (the cluster controller does not run there: the cluster's status and its
// operator key Secret are written by hand, as that controller would).
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { IngestionJob } from '../../src/crd/ingestion-job.ts';
import { kubeConfig, kubectlOk } from './kube.ts';

export const jobManifest = (name: string, cluster: string, extra = '') => `apiVersion: sluice.dev/v1alpha1
kind: IngestionJob
metadata: { name: ${name} }
spec:
  clusterRef: { name: ${cluster} }
  collection: handbooks
  sources:
    inline:
      - { uri: "https://docs.example/a.pdf" }
      - { uri: "https://docs.example/b.pdf", name: b }
${extra}`;

export async function readyCluster(namespace: string, name: string, operatorKey: string): Promise<void> {
  const apply = (yaml: string) => kubectlOk(['apply', '-n', namespace, '-f', '-'], yaml);
  await apply(`apiVersion: sluice.dev/v1alpha1
kind: IngestionCluster
metadata: { name: ${name} }
spec:
  stores:
    postgres: { secretRef: { name: ${name}-pg } }
    chroma: { url: "http://chroma.db.svc:8000" }
`);
  await apply(`apiVersion: v1\nkind: Secret\nmetadata: { name: ${name}-operator-key }\nstringData: { key: ${operatorKey} }\n`);
  await kubeConfig()
    .makeApiClient(CustomObjectsApi)
    .patchNamespacedCustomObjectStatus(
      {
        group: 'sluice.dev',
        version: 'v1alpha1',
        plural: 'ingestionclusters',
        namespace,
        name,
        body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'ready', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

export async function getJob(namespace: string, name: string): Promise<IngestionJob | undefined> {
  const custom = kubeConfig().makeApiClient(CustomObjectsApi);
  return (await custom.getNamespacedCustomObject({ group: 'sluice.dev', version: 'v1alpha1', plural: 'ingestionjobs', namespace, name }).catch(() => undefined)) as IngestionJob | undefined;
}

export const condition = (j: IngestionJob | undefined, type: string) => j?.status?.conditions?.find((c) => c.type === type);
