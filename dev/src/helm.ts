// Helm, built from the Go module proxy into the cache once per version, like the Kubernetes
// binaries: the chart's tests lint, render and install charts/sluice with it.
import { cacheRoot } from './binaries.ts';
import { ensureGoBinary, type GoBinary } from './go-build.ts';

export const HELM_VERSION = 'v4.3.2';

const HELM: GoBinary = {
  dir: `helm-${HELM_VERSION}`,
  wrapper: 'helm',
  pkg: 'helm.sh/helm/v4/cmd/helm',
  version: HELM_VERSION,
  binary: 'helm',
};

/** Returns the path of `helm`, building it if the cache lacks it. */
export async function ensureHelm(opts: { root?: string; log?: (s: string) => void } = {}): Promise<string> {
  const log = opts.log ?? ((s: string) => console.error(`[helm] ${s}`));
  return ensureGoBinary(opts.root ?? cacheRoot(), HELM, {
    building: () => log(`building helm ${HELM_VERSION} from the Go module proxy (minutes, once)`),
    downloaded: (s) => log(`downloaded Helm's modules in ${s}s; compiling`),
    built: (s) => log(`built helm ${HELM_VERSION} in ${s}s`),
  });
}
