// Files that ship inside a Go module (a project's CRDs, say), fetched from the module proxy once per
// version into the cache, outside the repository: `go mod download` in a throwaway module, then
// each file copied out and renamed into place whole, under the cache's lock.
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { goEnv, withLock } from './binaries.ts';
import { run } from './run.ts';

export interface ModuleFiles<K extends string> {
  /** The cache directory is `<name>-<version>`; the files go in its `files/`. */
  name: string;
  module: string;
  version: string;
  /** Each file's path inside the module. */
  files: Record<K, string>;
}

export function moduleFilePaths<K extends string>(root: string, spec: ModuleFiles<K>): Record<K, string> {
  const dir = join(root, `${spec.name}-${spec.version}`, 'files');
  return Object.fromEntries(Object.entries(spec.files).map(([key, path]) => [key, join(dir, basename(path as string))])) as Record<K, string>;
}

/** What `go mod download -json` prints for one module. */
interface Download {
  Dir?: string;
  Error?: string;
}

async function download<K extends string>(root: string, spec: ModuleFiles<K>): Promise<void> {
  const { module, version } = spec;
  const out = join(root, `${spec.name}-${version}`);
  const work = join(out, 'module');
  mkdirSync(work, { recursive: true });
  mkdirSync(join(out, 'files'), { recursive: true });
  // A throwaway module: `go mod download` of a module by path and version needs one to run in.
  writeFileSync(join(work, 'go.mod'), `module sluice.local/${spec.name}-files\n\ngo 1.26\n`);
  const env = { ...goEnv(), PATH: `${process.env.PATH ?? ''}:/usr/local/go/bin` };
  let info: Download;
  try {
    info = JSON.parse((await run('go', ['mod', 'download', '-json', `${module}@${version}`], { cwd: work, env })).stdout) as Download;
  } catch (err) {
    // On failure the JSON (with its Error) is still on stdout.
    const stdout = (err as { stdout?: string }).stdout;
    const reason = stdout ? (JSON.parse(stdout) as Download).Error : undefined;
    throw new Error(`go mod download ${module}@${version}: ${reason ?? (err instanceof Error ? err.message : String(err))}`, { cause: err });
  }
  if (!info.Dir) throw new Error(`go mod download ${module}@${version}: no module directory (${info.Error ?? 'no error given'})`);
  const paths = moduleFilePaths(root, spec);
  for (const key of Object.keys(spec.files) as K[]) {
    const from = join(info.Dir, spec.files[key]);
    if (!existsSync(from)) throw new Error(`${module}@${version} has no ${spec.files[key]}`);
    copyFileSync(from, `${paths[key]}.tmp`);
    renameSync(`${paths[key]}.tmp`, paths[key]);
  }
}

/** The paths of the module's files, fetched under the cache's lock if any is missing. */
export async function ensureModuleFiles<K extends string>(root: string, spec: ModuleFiles<K>): Promise<Record<K, string>> {
  const paths = moduleFilePaths(root, spec);
  const present = () => Object.values<string>(paths).every((p) => existsSync(p));
  if (!present()) {
    await withLock(join(root, `${spec.name}-${spec.version}`), async () => {
      if (!present()) await download(root, spec);
    });
  }
  return paths;
}
