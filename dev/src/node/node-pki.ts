// Certificates a node needs from the control plane's CA: client certificates for the kubelet
// (system:node:<name> in system:nodes), kube-proxy and kube-scheduler, and an apiserver serving
// certificate that also names the node IP and the `kubernetes` Service's ClusterIP, which is
// how pods reach the apiserver.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pki } from '../pki.ts';
import { run } from '../run.ts';

export interface KeyPair {
  cert: string;
  key: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function signWithCa(pki: Pick<Pki, 'caCert' | 'caKey'>, dir: string, name: string, subject: string, extensions: string): Promise<KeyPair> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  await run('openssl', ['req', ...EC, '-keyout', key, '-out', csr, '-subj', subject]);
  // A random serial rather than -CAcreateserial: concurrent signings would race on the CA's .srl file.
  const serial = `0x${randomBytes(16).toString('hex')}`;
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-set_serial', serial, '-out', cert, '-days', '365', '-extfile', ext]);
  return { cert, key };
}

export function apiserverServingCert(pki: Pki, dir: string, ips: string[]): Promise<KeyPair> {
  const sans = ['IP:127.0.0.1', 'DNS:localhost', ...ips.map((ip) => `IP:${ip}`), 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local'];
  return signWithCa(pki, dir, 'apiserver-node', '/CN=kube-apiserver', `subjectAltName=${sans.join(',')}\nextendedKeyUsage=serverAuth\n`);
}

export function clientCert(pki: Pki, dir: string, name: string, user: string, group?: string): Promise<KeyPair> {
  const subject = group ? `/O=${group}/CN=${user}` : `/CN=${user}`;
  return signWithCa(pki, dir, name, subject, 'extendedKeyUsage=clientAuth\n');
}
