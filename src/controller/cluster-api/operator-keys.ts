// The operator's key of each cluster, read from `<cluster>-operator-key` and remembered for a
// while, so polling a running job costs no Secret read. Forgotten when the API refuses it.
import type { IngestionCluster } from '../../crd/ingestion-cluster.ts';
import { OPERATOR_KEY } from '../builders/operator-key.ts';
import { childName } from '../builders/names.ts';
import type { RefReader } from '../runtime/ref-reader.ts';

export class OperatorKeys {
  private readonly reader: RefReader;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly keys = new Map<string, { key: string; at: number }>();

  constructor(reader: RefReader, ttlMs = 10 * 60_000, now: () => number = Date.now) {
    this.reader = reader;
    this.ttlMs = ttlMs;
    this.now = now;
  }

  async get(cluster: IngestionCluster): Promise<string | undefined> {
    const id = this.id(cluster);
    const hit = this.keys.get(id);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.key;
    const key = (await this.reader.secretData(cluster.metadata.namespace!, childName(cluster, 'operator-key')))?.[OPERATOR_KEY];
    if (key) this.keys.set(id, { key, at: this.now() });
    else this.keys.delete(id);
    return key;
  }

  forget(cluster: IngestionCluster): void {
    this.keys.delete(this.id(cluster));
  }

  private id(cluster: IngestionCluster): string {
    return `${cluster.metadata.namespace}/${cluster.metadata.name}/${cluster.metadata.uid}`;
  }
}
