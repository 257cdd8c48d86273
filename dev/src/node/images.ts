// The images a node needs, assembled from local files and imported into containerd: the pod
// sandbox (pause) and CoreDNS. Both are a single static binary.
import { join } from 'node:path';
import { run } from '../run.ts';
import { COREDNS_VERSION, PAUSE_VERSION, type NodeBinaries } from './node-binaries.ts';
import { writeOciImage, type ImageSpec } from './oci-image.ts';

export const PAUSE_IMAGE = `registry.k8s.io/pause:${PAUSE_VERSION}`;
export const COREDNS_IMAGE = `sluice.local/coredns:${COREDNS_VERSION}`;

/** 65535 is the pause image's user upstream; CoreDNS runs as the non-root user distroless uses. */
export function nodeImages(b: NodeBinaries): ImageSpec[] {
  return [
    { name: PAUSE_IMAGE, files: [{ path: '/pause', from: b.pause }], config: { Entrypoint: ['/pause'], User: '65535:65535' } },
    { name: COREDNS_IMAGE, files: [{ path: '/coredns', from: b.coredns }], config: { Entrypoint: ['/coredns'], User: '65532:65532' } },
  ];
}

export interface Ctr {
  ctr: string;
  socket: string;
}

/** Writes each image as an OCI archive under `dir` and imports it into containerd's k8s.io namespace. */
export async function importImages(c: Ctr, images: ImageSpec[], dir: string): Promise<void> {
  for (const spec of images) {
    const tar = join(dir, `${spec.name.replace(/[^A-Za-z0-9._-]/g, '_')}.tar`);
    await writeOciImage(spec, tar);
    await run(c.ctr, ['--address', c.socket, '--namespace', 'k8s.io', 'images', 'import', '--local', tar]);
  }
}

/** Imports an OCI archive already written (e.g. by writeOciImages) into containerd's k8s.io namespace. */
export async function importArchive(c: Ctr, tar: string): Promise<void> {
  await run(c.ctr, ['--address', c.socket, '--namespace', 'k8s.io', 'images', 'import', '--local', tar]);
}
