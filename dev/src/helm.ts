// Helm, built from the Go module proxy into the cache once per version, like the Kubernetes
// binaries: the chart's tests lint, render and install charts/sluice with it.
import { goBinary, goTool } from './go-build.ts';

export const HELM_VERSION = 'v4.3.2';

const HELM = goBinary('helm', 'helm.sh/helm/v4/cmd/helm', HELM_VERSION);

/** Returns the path of `helm`, building it if the cache lacks it. */
export const ensureHelm = goTool(HELM, 'helm', 'minutes');
