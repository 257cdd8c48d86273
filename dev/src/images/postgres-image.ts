// PostgreSQL 15 for the dev stores (manifests/dev): Debian's postgres and initdb with the modules,
// share files and time zones they load, dash as /bin/sh (initdb runs the server through it), and
// /usr/local/bin/postgres-dev, which initialises an empty data directory once and runs the server.
import type { ImageSpec } from '../node/oci-image.ts';
import { debianTree } from './debian-tree.ts';
import { IMAGE_PATH } from './sluice-image.ts';

export const POSTGRES_IMAGE = 'sluice.local/postgres:15';

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * Trust authentication from any address, as the examples' Secret has no password: for a local
 * trial only. Production users bring their own PostgreSQL.
 */
const START = `#!/bin/sh
set -eu
: "\${PGDATA:?}" "\${POSTGRES_USER:?}" "\${POSTGRES_DB:?}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --auth=trust --encoding=UTF8 --locale=C >/dev/null
  echo 'host all all 0.0.0.0/0 trust' >> "$PGDATA/pg_hba.conf"
  echo "CREATE DATABASE \\"$POSTGRES_DB\\"" | postgres --single -D "$PGDATA" postgres >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
`;

export async function postgresImage(log: (s: string) => void = () => {}): Promise<ImageSpec> {
  const debian = await debianTree(['postgresql-15', 'dash', 'tzdata', 'libc6'], log);
  const bins = [
    { path: `${BIN}/postgres`, from: debian.resolve(`${BIN}/postgres`) },
    { path: `${BIN}/initdb`, from: debian.resolve(`${BIN}/initdb`) },
    { path: '/bin/sh', from: debian.resolve('/bin/dash') },
  ];
  // Loadable modules initdb and the server open (plpgsql, snowball dictionaries, encodings);
  // the LLVM JIT is left out (jit is off without it).
  const modules = debian.tree('/usr/lib/postgresql/15/lib/', (p) => p.endsWith('.so') && !p.includes('llvmjit'));
  return {
    name: POSTGRES_IMAGE,
    files: [
      ...bins,
      ...modules,
      ...(await debian.librariesOf([...bins, ...modules].map((f) => f.from!))),
      ...debian.tree('/usr/share/postgresql/15/'),
      ...debian.tree('/usr/share/zoneinfo/', (p) => !p.includes('/right/') && !p.includes('/posix/')),
      { path: '/usr/local/bin/postgres-dev', content: START, mode: 0o755 },
      { path: '/etc/passwd', content: 'root:x:0:0:root:/root:/usr/sbin/nologin\npostgres:x:999:999:postgres:/var/lib/postgresql:/usr/sbin/nologin\n' },
      { path: '/etc/group', content: 'root:x:0:\npostgres:x:999:\n' },
    ],
    // PGDATA is a directory below the data volume: initdb must own the directory it makes.
    dirs: ['/tmp', '/var/lib/postgresql/data'],
    config: {
      Entrypoint: ['/usr/local/bin/postgres-dev'],
      User: '999:999',
      Env: [`PATH=${BIN}:${IMAGE_PATH}`, 'PGDATA=/var/lib/postgresql/data/pgdata', 'TZ=UTC', 'POSTGRES_USER=postgres', 'POSTGRES_DB=postgres'],
    },
  };
}
