// KEDA's own CRDs (ScaledObject, TriggerAuthentication), so that tests apply the ScaledObject the
// operator renders to a real apiserver with KEDA's schema and a schema drift fails them. They ship
// in KEDA's Go module (config/crd/bases), fetched from the module proxy once per version into the
// cache, outside the repository.
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, goEnv, withLock } from './binaries.ts';
import { run } from './run.ts';

/** The KEDA release whose CRDs the tests hold the rendered objects against. */
export const KEDA_VERSION = 'v2.21.0';
const MODULE = 'github.com/kedacore/keda/v2';
const FILES = { scaledObjects: 'keda.sh_scaledobjects.yaml', triggerAuthentications: 'keda.sh_triggerauthentications.yaml' } as const;

export type KedaCrdPaths = { [K in keyof typeof FILES]: string };

export function kedaCrdPaths(root = cacheRoot(), version = KEDA_VERSION): KedaCrdPaths {
  const dir = join(root, `keda-${version}`, 'crds');
  return { scaledObjects: join(dir, FILES.scaledObjects), triggerAuthentications: join(dir, FILES.triggerAuthentications) };
}

/** What `go mod download -json` prints for one module. */
interface Download {
  Dir?: string;
  Error?: string;
}

async function download(root: string, version: string): Promise<void> {
  const out = join(root, `keda-${version}`);
  const work = join(out, 'module');
  mkdirSync(work, { recursive: true });
  mkdirSync(join(out, 'crds'), { recursive: true });
  // A throwaway module: `go mod download` of a module by path and version needs one to run in.
  writeFileSync(join(work, 'go.mod'), 'module sluice.local/keda-crds\n\ngo 1.26\n');
  const env = { ...goEnv(), PATH: `${process.env.PATH ?? ''}:/usr/local/go/bin` };
  let info: Download;
  try {
    info = JSON.parse((await run('go', ['mod', 'download', '-json', `${MODULE}@${version}`], { cwd: work, env })).stdout) as Download;
  } catch (err) {
    // On failure the JSON (with its Error) is still on stdout.
    const stdout = (err as { stdout?: string }).stdout;
    const reason = stdout ? (JSON.parse(stdout) as Download).Error : undefined;
    throw new Error(`go mod download ${MODULE}@${version}: ${reason ?? (err instanceof Error ? err.message : String(err))}`, { cause: err });
  }
  if (!info.Dir) throw new Error(`go mod download ${MODULE}@${version}: no module directory (${info.Error ?? 'no error given'})`);
  const paths = kedaCrdPaths(root, version);
  for (const key of Object.keys(FILES) as (keyof typeof FILES)[]) {
    const from = join(info.Dir, 'config', 'crd', 'bases', FILES[key]);
    if (!existsSync(from)) throw new Error(`${MODULE}@${version} has no config/crd/bases/${FILES[key]}`);
    // Renamed into place whole, so a reader never sees half a file.
    copyFileSync(from, `${paths[key]}.tmp`);
    renameSync(`${paths[key]}.tmp`, paths[key]);
  }
}

/** The paths of KEDA's ScaledObject and TriggerAuthentication CRDs, fetched under the cache's lock if missing. */
export async function ensureKedaCrds(opts: { root?: string; version?: string } = {}): Promise<KedaCrdPaths> {
  const root = opts.root ?? cacheRoot();
  const version = opts.version ?? KEDA_VERSION;
  const paths = kedaCrdPaths(root, version);
  const present = () => Object.values(paths).every((p) => existsSync(p));
  if (!present()) {
    await withLock(join(root, `keda-${version}`), async () => {
      if (!present()) await download(root, version);
    });
  }
  return paths;
}
