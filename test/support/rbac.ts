// Clients that hold only the operator's own RBAC, for tests that prove it asks for nothing more.
import { readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { kubeConfig } from './kube.ts';

/** A kubeconfig authenticating as a ServiceAccount, with a fresh token. */
export async function serviceAccountKubeConfig(namespace: string, name: string): Promise<KubeConfig> {
  const admin = kubeConfig();
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({ namespace, name, body: { spec: { expirationSeconds: 3600 } } });
  const cluster = admin.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: cluster.server, caFile: cluster.caFile }],
    users: [{ name, token: token.status!.token }],
    contexts: [{ name: 'c', cluster: 'c', user: name }],
    currentContext: 'c',
  });
  return kc;
}

/**
 * The installed ClusterRole's rules (manifests/rbac/cluster-role.yaml) under a name of the test's
 * own, bound to a ServiceAccount `operator` in `namespace` (the install test owns the real one).
 * Returns that account's kubeconfig and a function that removes the role and binding.
 */
export async function operatorRoleIn(namespace: string, roleName: string): Promise<{ kc: KubeConfig; remove: () => Promise<void> }> {
  const admin = kubeConfig();
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const rules = parseAllDocuments(readFileSync(new URL('../../manifests/rbac/cluster-role.yaml', import.meta.url), 'utf8'))
    .map((d) => d.toJS() as { kind: string; rules: V1PolicyRule[] })
    .find((d) => d.kind === 'ClusterRole')!.rules;
  await rbac.createClusterRole({ body: { metadata: { name: roleName }, rules } });
  await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'operator' } } });
  await rbac.createClusterRoleBinding({
    body: { metadata: { name: roleName }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace }] },
  });
  const remove = async () => {
    await rbac.deleteClusterRoleBinding({ name: roleName }).catch(() => undefined);
    await rbac.deleteClusterRole({ name: roleName }).catch(() => undefined);
  };
  return { kc: await serviceAccountKubeConfig(namespace, 'operator'), remove };
}
