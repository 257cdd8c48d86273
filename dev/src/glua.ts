// Builds glua, the command-line interpreter of gopher-lua, from the Go module proxy into the cache,
// once per version. Argo CD runs health checks and resource actions in gopher-lua (a Lua 5.1 written
// in Go), so the scripts under manifests/argocd/ are tested in the interpreter that will run them,
// with nothing needed on the machine but Go.
import { cacheRoot } from './binaries.ts';
import { ensureGoBinary, goBinaryPath, type GoBinary } from './go-build.ts';

/** The gopher-lua that Argo CD links (its go.mod, v3.5). */
export const GOPHER_LUA_VERSION = 'v1.1.2';

const GLUA: GoBinary = {
  dir: `gopher-lua-${GOPHER_LUA_VERSION}`,
  wrapper: 'glua',
  pkg: 'github.com/yuin/gopher-lua/cmd/glua',
  version: GOPHER_LUA_VERSION,
  binary: 'glua',
};

export function gluaPath(root = cacheRoot()): string {
  return goBinaryPath(root, GLUA);
}

/** Returns the path of glua, building it if the cache lacks it. */
export async function ensureGlua(opts: { root?: string; log?: (s: string) => void } = {}): Promise<string> {
  const log = opts.log ?? ((s: string) => console.error(`[glua] ${s}`));
  return ensureGoBinary(opts.root ?? cacheRoot(), GLUA, {
    built: (s) => log(`built glua (gopher-lua ${GOPHER_LUA_VERSION}) in ${s}s`),
  });
}
