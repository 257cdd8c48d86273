// Storage for the one-machine node, which has no provisioner: a default StorageClass without one
// and a few hostPath PersistentVolumes under the node's directory, which a claim such as Managed
// Redis's binds to. hostPath volumes get no fsGroup ownership, so each directory is made
// world-writable for the non-root pods that use it; the node's teardown removes them with NODE_DIR.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_DIR } from './host.ts';

export const LOCAL_STORAGE_CLASS = 'sluice-local';

/** The objects to apply (after this made their directories): the StorageClass and `count` volumes of `size`. */
export function localVolumes(count = 4, size = '10Gi'): object[] {
  const objects: object[] = [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: LOCAL_STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Retain',
    },
  ];
  for (let i = 0; i < count; i++) {
    const path = join(NODE_DIR, 'volumes', `pv-${i}`);
    mkdirSync(path, { recursive: true });
    chmodSync(path, 0o1777);
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `sluice-local-${i}` },
      spec: {
        capacity: { storage: size },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: LOCAL_STORAGE_CLASS,
        hostPath: { path, type: 'Directory' },
      },
    });
  }
  return objects;
}
