// KEDA's own CRDs (ScaledObject, TriggerAuthentication), so that tests apply the ScaledObject the
// operator renders to a real apiserver with KEDA's schema and a schema drift fails them. They ship
// in KEDA's Go module (config/crd/bases), fetched from the module proxy once per version.
import { cacheRoot } from './binaries.ts';
import { ensureModuleFiles, moduleFilePaths, type ModuleFiles } from './module-files.ts';

/** The KEDA release whose CRDs the tests hold the rendered objects against. */
export const KEDA_VERSION = 'v2.21.0';

const spec = (version: string): ModuleFiles<'scaledObjects' | 'triggerAuthentications'> => ({
  name: 'keda',
  module: 'github.com/kedacore/keda/v2',
  version,
  files: { scaledObjects: 'config/crd/bases/keda.sh_scaledobjects.yaml', triggerAuthentications: 'config/crd/bases/keda.sh_triggerauthentications.yaml' },
});

export type KedaCrdPaths = Record<'scaledObjects' | 'triggerAuthentications', string>;

export function kedaCrdPaths(root = cacheRoot(), version = KEDA_VERSION): KedaCrdPaths {
  return moduleFilePaths(root, spec(version));
}

/** The paths of KEDA's ScaledObject and TriggerAuthentication CRDs, fetched under the cache's lock if missing. */
export function ensureKedaCrds(opts: { root?: string; version?: string } = {}): Promise<KedaCrdPaths> {
  return ensureModuleFiles(opts.root ?? cacheRoot(), spec(opts.version ?? KEDA_VERSION));
}
