// One Go command built from the module proxy into the cache, once per version: a throwaway wrapper
// module gets the package at the version and builds it, the binary renamed into place only when
// whole. glua and SeaweedFS's weed are built this way.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, goEnv, withLock } from './binaries.ts';
import { run } from './run.ts';

export interface GoBinary {
  /** Directory under the cache root, one per version, e.g. `gopher-lua-v1.1.2`; the binary goes in its bin/. */
  dir: string;
  /** The wrapper module is `sluice.local/<wrapper>`. */
  wrapper: string;
  /** The main package to build, fetched at `version`. */
  pkg: string;
  version: string;
  /** The binary's file name in bin/. */
  binary: string;
  /** Go build tags, e.g. to leave out code the tests never run. */
  tags?: string[];
}

/** The usual GoBinary: named after its binary, one cache directory per version. */
export const goBinary = (binary: string, pkg: string, version: string): GoBinary => ({ dir: `${binary}-${version}`, wrapper: binary, pkg, version, binary });

export interface GoBuildProgress {
  /** In the lock, when the binary is still missing and its build begins. */
  building?: () => void;
  /** After `go get`, with the whole seconds since the build began. */
  downloaded?: (seconds: number) => void;
  /** With the binary in place, with the whole seconds the build took. */
  built: (seconds: number) => void;
}

export function goBinaryPath(root: string, spec: GoBinary): string {
  return join(root, spec.dir, 'bin', spec.binary);
}

async function buildGoBinary(root: string, spec: GoBinary, progress: GoBuildProgress): Promise<void> {
  const out = join(root, spec.dir);
  const work = join(out, 'module');
  const bin = join(out, 'bin');
  mkdirSync(work, { recursive: true });
  mkdirSync(bin, { recursive: true });
  // README: Go on PATH or in /usr/local/go/bin.
  const env = { ...goEnv(), PATH: `${process.env.PATH ?? ''}:/usr/local/go/bin` };
  const t = Date.now();
  const seconds = () => Math.round((Date.now() - t) / 1000);
  writeFileSync(join(work, 'go.mod'), `module sluice.local/${spec.wrapper}\n\ngo 1.26\n`);
  await run('go', ['get', `${spec.pkg}@${spec.version}`], { cwd: work, env });
  progress.downloaded?.(seconds());
  const tmp = join(bin, `${spec.binary}.tmp`);
  const tags = spec.tags?.length ? ['-tags', spec.tags.join(',')] : [];
  await run('go', ['build', '-trimpath', ...tags, '-ldflags', '-s -w', '-o', tmp, spec.pkg], { cwd: work, env });
  renameSync(tmp, join(bin, spec.binary));
  progress.built(seconds());
}

/** Returns the binary's path, building it under the cache's lock if the cache lacks it. */
export async function ensureGoBinary(root: string, spec: GoBinary, progress: GoBuildProgress): Promise<string> {
  const path = goBinaryPath(root, spec);
  if (!existsSync(path)) {
    await withLock(join(root, spec.dir), async () => {
      if (!existsSync(path)) {
        progress.building?.();
        await buildGoBinary(root, spec, progress);
      }
    });
  }
  return path;
}

export interface ToolOptions {
  root?: string;
  log?: (s: string) => void;
}

/**
 * The `ensure…` function of a Go command: its path, built into the cache on first use, with the
 * build's progress logged as `[label] …`. `howLong` tells a cold build's reader what to expect.
 */
export function goTool(spec: GoBinary, label: string, howLong: string): (opts?: ToolOptions) => Promise<string> {
  return (opts = {}) => {
    const log = opts.log ?? ((s: string) => console.error(`[${label}] ${s}`));
    return ensureGoBinary(opts.root ?? cacheRoot(), spec, {
      building: () => log(`building ${spec.binary} ${spec.version} from the Go module proxy (${howLong}, once)`),
      downloaded: (s) => log(`downloaded the modules of ${spec.binary} in ${s}s; compiling`),
      built: (s) => log(`built ${spec.binary} ${spec.version} in ${s}s`),
    });
  };
}
