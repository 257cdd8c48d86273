// kube-router as the node's NetworkPolicy enforcer: its firewall alone (iptables and ipset rules
// per pod), with routing, the service proxy and CNI left to the bridge plugin and kube-proxy. Pure:
// its arguments and the RBAC its identity needs.
import { NODE_NAME, SERVICE_CIDR } from './config.ts';

/** The user kube-router's client certificate names. */
export const KUBE_ROUTER_USER = 'system:sluice-kube-router';

export function kubeRouterArgs(p: { kubeconfig: string; healthPort: number }): string[] {
  return [
    `--kubeconfig=${p.kubeconfig}`,
    `--hostname-override=${NODE_NAME}`,
    '--run-firewall=true',
    '--run-router=false',
    '--run-service-proxy=false',
    '--run-loadbalancer=false',
    '--enable-cni=false',
    '--enable-ipv4=true',
    '--enable-ipv6=false',
    // Traffic still addressed to a ClusterIP has not been translated by kube-proxy yet; the
    // policies apply to the pod it is translated to.
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    `--health-port=${p.healthPort}`,
    '--metrics-port=0',
    '--v=1',
  ];
}

/** What kube-router's informers list and watch (its upstream ClusterRole, less what routing needs). */
export function kubeRouterRbac(): object[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'sluice:kube-router' },
      rules: [
        { apiGroups: [''], resources: ['namespaces', 'pods', 'services', 'nodes', 'endpoints'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'sluice:kube-router' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'sluice:kube-router' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: KUBE_ROUTER_USER }],
    },
  ];
}
