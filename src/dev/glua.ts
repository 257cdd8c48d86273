// Builds glua, the command-line interpreter of gopher-lua, from the Go module proxy into the cache,
// once per version. Argo CD runs health checks and resource actions in gopher-lua (a Lua 5.1 written
// in Go), so the scripts under manifests/argocd/ are tested in the interpreter that will run them,
// with nothing needed on the machine but Go.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, goEnv, withLock } from './binaries.ts';
import { run } from './run.ts';

/** The gopher-lua that Argo CD links (its go.mod, v3.5). */
export const GOPHER_LUA_VERSION = 'v1.1.2';

export function gluaPath(root = cacheRoot()): string {
  return join(root, `gopher-lua-${GOPHER_LUA_VERSION}`, 'bin', 'glua');
}

async function buildGlua(root: string, log: (s: string) => void): Promise<void> {
  const out = join(root, `gopher-lua-${GOPHER_LUA_VERSION}`);
  const work = join(out, 'module');
  const bin = join(out, 'bin');
  mkdirSync(work, { recursive: true });
  mkdirSync(bin, { recursive: true });
  // README: Go on PATH or in /usr/local/go/bin.
  const env = { ...goEnv(), PATH: `${process.env.PATH ?? ''}:/usr/local/go/bin` };
  const t = Date.now();
  writeFileSync(join(work, 'go.mod'), 'module sluice.local/glua\n\ngo 1.26\n');
  await run('go', ['get', `github.com/yuin/gopher-lua/cmd/glua@${GOPHER_LUA_VERSION}`], { cwd: work, env });
  await run('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', join(bin, 'glua.tmp'), 'github.com/yuin/gopher-lua/cmd/glua'], { cwd: work, env });
  renameSync(join(bin, 'glua.tmp'), join(bin, 'glua'));
  log(`built glua (gopher-lua ${GOPHER_LUA_VERSION}) in ${Math.round((Date.now() - t) / 1000)}s`);
}

/** Returns the path of glua, building it if the cache lacks it. */
export async function ensureGlua(opts: { root?: string; log?: (s: string) => void } = {}): Promise<string> {
  const root = opts.root ?? cacheRoot();
  const log = opts.log ?? ((s: string) => console.error(`[glua] ${s}`));
  const path = gluaPath(root);
  if (!existsSync(path)) {
    await withLock(join(root, `gopher-lua-${GOPHER_LUA_VERSION}`), async () => {
      if (!existsSync(path)) await buildGlua(root, log);
    });
  }
  return path;
}
