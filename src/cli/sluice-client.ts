// The IngestionJobs and IngestionClusters `kubectl sluice` reads and patches, through the user's
// kubeconfig (KUBECONFIG, ~/.kube/config or in-cluster), as kubectl does.
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { IngestionCluster } from '../crd/ingestion-cluster.ts';
import type { IngestionJob } from '../crd/ingestion-job.ts';

const GROUP = 'sluice.dev';
const VERSION = 'v1alpha1';

export class SluiceClient {
  readonly #api: CustomObjectsApi;
  /** The namespace asked for, else the kubeconfig context's, else default. */
  readonly namespace: string;

  constructor(kc: KubeConfig, namespace?: string) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.namespace = namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  }

  static fromDefault(namespace?: string): SluiceClient {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    return new SluiceClient(kc, namespace);
  }

  /** Every object of a kind in the namespace, or in all of them. */
  async #list<T>(plural: string, allNamespaces: boolean): Promise<T[]> {
    const list = (allNamespaces
      ? await this.#api.listClusterCustomObject({ group: GROUP, version: VERSION, plural })
      : await this.#api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural })) as { items: T[] };
    return list.items;
  }

  jobs(allNamespaces = false): Promise<IngestionJob[]> {
    return this.#list('ingestionjobs', allNamespaces);
  }

  clusters(allNamespaces = false): Promise<IngestionCluster[]> {
    return this.#list('ingestionclusters', allNamespaces);
  }

  async job(name: string): Promise<IngestionJob> {
    return (await this.#api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural: 'ingestionjobs', name })) as IngestionJob;
  }

  async cluster(name: string): Promise<IngestionCluster> {
    return (await this.#api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural: 'ingestionclusters', name })) as IngestionCluster;
  }

  /** A JSON merge patch of a job's spec. */
  async patchJobSpec(name: string, spec: Record<string, unknown>): Promise<IngestionJob> {
    const body = { spec };
    return (await this.#api.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural: 'ingestionjobs', name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))) as IngestionJob;
  }
}
