// Redis for the operator's Managed mode on a registry-less node: Debian's redis-server and
// redis-cli, with dash as /bin/sh and grep for the StatefulSet's readiness probe
// (`sh -c 'redis-cli … ping | grep -q PONG'`), and the libraries they need, all from Debian's packages.
import type { ImageSpec } from '../node/oci-image.ts';
import { debianTree } from './debian-tree.ts';
import { IMAGE_PATH } from './sluice-image.ts';

/** Debian bookworm's version; the dev overlay of the examples names this image. */
export const REDIS_IMAGE = 'sluice.local/redis:7.0.15';

export async function redisImage(log: (s: string) => void = () => {}): Promise<ImageSpec> {
  const debian = await debianTree(['redis-server', 'redis-tools', 'dash', 'grep', 'libc6'], log);
  // redis-server is a link to redis-check-rdb: one binary that acts on the name it is run by.
  const bins = { '/usr/bin/redis-server': '/usr/bin/redis-server', '/usr/bin/redis-cli': '/usr/bin/redis-cli', '/bin/sh': '/bin/dash', '/bin/grep': '/bin/grep' };
  const files = Object.entries(bins).map(([path, src]) => ({ path, from: debian.resolve(src) }));
  return {
    name: REDIS_IMAGE,
    files: [
      ...files,
      ...(await debian.librariesOf(files.map((f) => f.from))),
      { path: '/etc/passwd', content: 'root:x:0:0:root:/root:/usr/sbin/nologin\nredis:x:999:999:redis:/data:/usr/sbin/nologin\n' },
      { path: '/etc/group', content: 'root:x:0:\nredis:x:999:\n' },
    ],
    dirs: ['/data', '/tmp'],
    // The official image's uid; the operator's StatefulSet runs it as 999 too (REDIS_UID).
    config: { Entrypoint: ['redis-server'], User: '999:999', WorkingDir: '/data', Env: [`PATH=${IMAGE_PATH}`] },
  };
}
