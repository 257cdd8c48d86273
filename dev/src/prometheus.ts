// Prometheus's `promtool` (rule checks and rule unit tests), built from the Go module proxy into
// the cache once per version, like the Kubernetes binaries. Prometheus's Go module is versioned
// v0.3XY.Z for Prometheus 3.XY.Z.
import { cacheRoot } from './binaries.ts';
import { ensureGoBinary, type GoBinary } from './go-build.ts';

export const PROMETHEUS_VERSION = 'v0.316.0';
const MODULE = 'github.com/prometheus/prometheus';

/** Rule checks and rule tests need no service discovery: without its cloud SDKs it builds in a fraction of the time. */
const PROMTOOL: GoBinary = {
  dir: `promtool-${PROMETHEUS_VERSION}-no-sd`,
  wrapper: 'promtool',
  pkg: `${MODULE}/cmd/promtool`,
  version: PROMETHEUS_VERSION,
  binary: 'promtool',
  tags: ['remove_all_sd'],
};

/** Returns the path of `promtool`, building it if the cache lacks it. */
export async function ensurePromtool(opts: { root?: string; log?: (s: string) => void } = {}): Promise<string> {
  const log = opts.log ?? ((s: string) => console.error(`[prometheus] ${s}`));
  return ensureGoBinary(opts.root ?? cacheRoot(), PROMTOOL, {
    building: () => log(`building promtool ${PROMETHEUS_VERSION} from the Go module proxy (minutes, once)`),
    downloaded: (s) => log(`downloaded Prometheus's modules in ${s}s; compiling`),
    built: (s) => log(`built promtool ${PROMETHEUS_VERSION} in ${s}s`),
  });
}
