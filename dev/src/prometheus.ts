// Prometheus's `promtool` (rule checks and rule unit tests), built from the Go module proxy into
// the cache once per version, like the Kubernetes binaries. Prometheus's Go module is versioned
// v0.3XY.Z for Prometheus 3.XY.Z.
import { goTool, type GoBinary } from './go-build.ts';

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
export const ensurePromtool = goTool(PROMTOOL, 'prometheus', 'minutes');
