// The node's configuration files, as pure functions of where things live. The settings this
// machine kind needs (and why) are in the shared notes, real-node.md.

/**
 * Every address the node hands out is in 198.18.0.0/15, the range reserved for benchmarking
 * (RFC 2544), so no test traffic ever targets a private or public address.
 */
export const POD_CIDR = '198.18.0.0/16';
export const SERVICE_CIDR = '198.19.0.0/16';
/** The `kubernetes` Service: the first address of SERVICE_CIDR. */
export const KUBERNETES_SERVICE_IP = '198.19.0.1';
export const DNS_SERVICE_IP = '198.19.0.10';
/**
 * The apiserver's port with a node, as on most clusters: a NetworkPolicy's egress is checked after
 * kube-proxy's translation, so it admits the apiserver by this port (see the operator's policy).
 * One node per machine, so a fixed port is free.
 */
export const APISERVER_PORT = 6443;
export const CLUSTER_DOMAIN = 'cluster.local';
export const NODE_NAME = 'sluice-node';
/** The CNI bridge (not the usual cni0, so that it is plainly ours). */
export const BRIDGE = 'sluice0';
export const CNI_NETWORK = 'sluice';
/**
 * A device (a bridge with no ports) routing all of 198.18.0.0/15 into nothing: a packet to an address kube-proxy
 * does not translate (or a pod that is gone) is dropped here instead of following the default
 * route off the machine. The node's own /24 on BRIDGE is more specific and wins; kube-proxy's
 * DNAT re-routes Service traffic before it reaches this device.
 */
export const VOID_DEVICE = 'sluice-void';
export const TEST_RANGE = '198.18.0.0/15';

export interface ContainerdPaths {
  root: string;
  state: string;
  socket: string;
  runcRoot: string;
  runc: string;
  cniBinDir: string;
  cniConfDir: string;
  sandboxImage: string;
}

const q = (s: string) => `'${s}'`;

export function containerdConfig(p: ContainerdPaths): string {
  return `version = 4
root = ${q(p.root)}
state = ${q(p.state)}
imports = []
# NRI would open a socket under /var/run/nri; nothing here uses it.
disabled_plugins = ['io.containerd.nri.v1.nri']

[plugins]
  [plugins.'io.containerd.server.v1.grpc']
    address = ${q(p.socket)}

  [plugins.'io.containerd.server.v1.ttrpc']
    address = ${q(`${p.socket}.ttrpc`)}

  [plugins.'io.containerd.cri.v1.images']
    snapshotter = 'overlayfs'
    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = ${q(p.sandboxImage)}

  [plugins.'io.containerd.cri.v1.runtime']
    enable_selinux = false
    # Root here lacks CAP_SYS_RESOURCE: nothing may lower oom_score_adj below 0, and the pause
    # container asks for -998. Without this every sandbox fails in runc.
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    [plugins.'io.containerd.cri.v1.runtime'.containerd]
      default_runtime_name = 'runc'
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
        runtime_type = 'io.containerd.runc.v2'
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
          BinaryName = ${q(p.runc)}
          Root = ${q(p.runcRoot)}
          SystemdCgroup = false
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = [${q(p.cniBinDir)}]
      conf_dir = ${q(p.cniConfDir)}
      max_conf_num = 1

  [plugins.'io.containerd.grpc.v1.cri']
    stream_server_address = '127.0.0.1'
    stream_server_port = '0'
`;
}

export interface KubeletPaths {
  caCert: string;
  containerdSocket: string;
  podLogsDir: string;
  nodeIp: string;
  healthzPort: number;
  port: number;
}

export function kubeletConfig(p: KubeletPaths): object {
  const endpoint = `unix://${p.containerdSocket}`;
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // Since 1.35 the kubelet refuses cgroup v1 unless told otherwise; this machine kind has v1.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    containerRuntimeEndpoint: endpoint,
    imageServiceEndpoint: endpoint,
    address: p.nodeIp,
    port: p.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: p.healthzPort,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: p.caCert } },
    authorization: { mode: 'Webhook' },
    clusterDNS: [DNS_SERVICE_IP],
    clusterDomain: CLUSTER_DOMAIN,
    // Pods with dnsPolicy Default get no host resolver: nothing leaves this machine.
    resolvConf: '',
    failSwapOn: false,
    // A busy shared disk must evict nothing and collect no images we imported by hand.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%', 'imagefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    nodeStatusUpdateFrequency: '4s',
    serializeImagePulls: false,
    podLogsDir: p.podLogsDir,
    rotateCertificates: false,
    serverTLSBootstrap: false,
  };
}

export function kubeProxyConfig(p: { kubeconfig: string; healthzPort: number; metricsPort: number }): object {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'nftables',
    clusterCIDR: POD_CIDR,
    hostnameOverride: NODE_NAME,
    clientConnection: { kubeconfig: p.kubeconfig },
    healthzBindAddress: `127.0.0.1:${p.healthzPort}`,
    metricsBindAddress: `127.0.0.1:${p.metricsPort}`,
    // Leave the machine's conntrack sysctls alone (0 means "do not set").
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  };
}

/**
 * bridge + host-local on the node's pod range, then portmap. hairpinMode lets a pod reach itself
 * through its Service. Pods get routes to 198.18.0.0/15 and the node IP only, and no masquerade:
 * a pod cannot send a packet that leaves this machine.
 */
export function cniConflist(nodePodCidr: string, nodeIp: string, dataDir: string): object {
  return {
    cniVersion: '1.0.0',
    name: CNI_NETWORK,
    plugins: [
      {
        type: 'bridge',
        bridge: BRIDGE,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: nodePodCidr }]], routes: [{ dst: TEST_RANGE }, { dst: `${nodeIp}/32` }], dataDir },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}
