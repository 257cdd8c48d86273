// Certificates for a loopback control plane, made with openssl (Node's crypto makes keys, not
// certificates). EC P-256 keeps generation fast.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run.ts';

export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  saKey: string;
  saPub: string;
  /** Client certificates by name: admin (system:masters) and kube-controller-manager. */
  clients: Record<'admin' | 'controllerManager', KeyPair>;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface KeyPair {
  cert: string;
  key: string;
}

/** A key and a certificate for `subject` with `extensions`, signed by the CA, written to `dir/name.{key,crt}`. */
export async function signWithCa(pki: Pick<Pki, 'caCert' | 'caKey'>, dir: string, name: string, subject: string, extensions: string): Promise<KeyPair> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  await run('openssl', ['req', ...EC, '-keyout', key, '-out', csr, '-subj', subject]);
  // A random serial, not -CAcreateserial: certificates signed in parallel raced on the CA's .srl file.
  const serial = `0x${randomBytes(16).toString('hex')}`;
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-set_serial', serial, '-out', cert, '-days', '365', '-extfile', ext]);
  return { cert, key };
}

export async function createPki(dir: string): Promise<Pki> {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await run('openssl', ['req', '-x509', ...EC, '-keyout', caKey, '-out', caCert, '-days', '3650', '-subj', '/CN=sluice-local-ca']);
  const ca = { caCert, caKey };
  const [serving, admin, controllerManager] = await Promise.all([
    signWithCa(
      ca,
      dir,
      'apiserver',
      '/CN=kube-apiserver',
      'subjectAltName=IP:127.0.0.1,DNS:localhost,IP:198.19.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
    ),
    signWithCa(ca, dir, 'admin', '/O=system:masters/CN=sluice-admin', 'extendedKeyUsage=clientAuth\n'),
    // Its controllers run under its own identity (--use-service-account-credentials=false), so it
    // needs more than the system:kube-controller-manager role grants.
    signWithCa(ca, dir, 'controller-manager', '/O=system:masters/CN=system:kube-controller-manager', 'extendedKeyUsage=clientAuth\n'),
  ]);
  const saKey = join(dir, 'sa.key');
  const saPub = join(dir, 'sa.pub');
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', saKey]);
  await run('openssl', ['pkey', '-in', saKey, '-pubout', '-out', saPub]);
  return { caCert, caKey, servingCert: serving.cert, servingKey: serving.key, saKey, saPub, clients: { admin, controllerManager } };
}

export function kubeconfig(server: string, caCert: string, client: { cert: string; key: string }, user: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sluice-local', cluster: { server, 'certificate-authority': caCert } }],
    users: [{ name: user, user: { 'client-certificate': client.cert, 'client-key': client.key } }],
    contexts: [{ name: 'sluice-local', context: { cluster: 'sluice-local', user, namespace: 'default' } }],
    'current-context': 'sluice-local',
  });
}
