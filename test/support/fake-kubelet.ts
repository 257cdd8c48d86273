// Stands in for a kubelet in one namespace: binds Pending pods to a fake Node and reports them
// Running and Ready, so the real Deployment/StatefulSet controllers compute real readiness.
// (The control plane under test has no node agent; this is what kwok does, in a few lines.)
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { kubeConfig } from './kube.ts';

const NODE = 'sluice-fake-node';

export async function ensureFakeNode(): Promise<void> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  try {
    await core.createNode({ body: { metadata: { name: NODE, labels: { 'kubernetes.io/hostname': NODE } } } });
  } catch {
    // exists
  }
  const now = new Date();
  await core.patchNodeStatus(
    { name: NODE, body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'fake', lastHeartbeatTime: now, lastTransitionTime: now }] } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

export function startFakeKubelet(namespace: string, intervalMs = 300): { stop: () => void } {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  let stopped = false;
  const tick = async () => {
    const pods = await core.listNamespacedPod({ namespace });
    for (const pod of pods.items) {
      const name = pod.metadata!.name!;
      if (pod.metadata?.deletionTimestamp) {
        await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }).catch(() => undefined);
        continue;
      }
      if (!pod.spec?.nodeName) {
        await core.createNamespacedPodBinding({ namespace, name, body: { metadata: { name }, target: { kind: 'Node', name: NODE } } }).catch(() => undefined);
        continue;
      }
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      if (pod.status?.phase !== 'Running' || !ready) {
        const now = new Date();
        await core
          .patchNamespacedPodStatus(
            {
              namespace,
              name,
              body: {
                status: {
                  phase: 'Running',
                  podIP: '198.18.0.1',
                  startTime: now,
                  conditions: [
                    { type: 'Ready', status: 'True', lastTransitionTime: now },
                    { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
                  ],
                  containerStatuses: pod.spec.containers.map((c) => ({ name: c.name, image: c.image!, imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: now } } })),
                },
              },
            },
            merge,
          )
          .catch(() => undefined);
      }
    }
  };
  let heartbeat = 0;
  const loop = async () => {
    while (!stopped) {
      // Renew the node's Ready condition as a kubelet does, or the node lifecycle controller
      // marks it NotReady after its grace period and every pod on it unready with it.
      if (Date.now() - heartbeat > 10_000) {
        heartbeat = Date.now();
        await ensureFakeNode().catch(() => undefined);
      }
      await tick().catch(() => undefined);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  };
  void loop();
  return { stop: () => void (stopped = true) };
}
