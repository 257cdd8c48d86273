// Certificates a node needs from the control plane's CA: client certificates for the kubelet
// (system:node:<name> in system:nodes), kube-proxy and kube-scheduler, and an apiserver serving
// certificate that also names the node IP and the `kubernetes` Service's ClusterIP, which is
// how pods reach the apiserver.
import { signWithCa, type KeyPair, type Pki } from '../pki.ts';

export function apiserverServingCert(pki: Pki, dir: string, ips: string[]): Promise<KeyPair> {
  const sans = ['IP:127.0.0.1', 'DNS:localhost', ...ips.map((ip) => `IP:${ip}`), 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local'];
  return signWithCa(pki, dir, 'apiserver-node', '/CN=kube-apiserver', `subjectAltName=${sans.join(',')}\nextendedKeyUsage=serverAuth\n`);
}

export function clientCert(pki: Pki, dir: string, name: string, user: string, group?: string): Promise<KeyPair> {
  const subject = group ? `/O=${group}/CN=${user}` : `/CN=${user}`;
  return signWithCa(pki, dir, name, subject, 'extendedKeyUsage=clientAuth\n');
}
