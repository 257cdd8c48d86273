// Images the e2e tests assemble from this machine's files. The workload image is CoreDNS's (one
// static binary, imported with the node); `lookup` is Debian's getent with the libraries ldd
// names, to resolve names from inside a pod the way any libc program does.
import { sharedLibraries, type ImageSpec } from '@sluice/devenv/node/oci-image';

export const LOOKUP_IMAGE = 'sluice.local/e2e-lookup:1';

export async function lookupImage(): Promise<ImageSpec> {
  return {
    name: LOOKUP_IMAGE,
    files: [
      { path: '/usr/bin/getent', from: '/usr/bin/getent' },
      ...(await sharedLibraries('/usr/bin/getent')),
      { path: '/etc/nsswitch.conf', content: 'hosts: files dns\n' },
      { path: '/etc/passwd', content: 'root:x:0:0:root:/:/nonexistent\nnobody:x:65534:65534:nobody:/:/nonexistent\n' },
      { path: '/etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' },
    ],
    config: { Entrypoint: ['/usr/bin/getent'], User: '65534:65534' },
  };
}
