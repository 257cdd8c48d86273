// The Gateway API's HTTPRoute CRD (standard channel), so that tests validate the HTTPRoute the
// operator builds for spec.api.httpRoute against a real apiserver. It ships in the project's Go
// module (config/crd/standard), fetched from the module proxy once per version.
import { cacheRoot } from './binaries.ts';
import { ensureModuleFiles, type ModuleFiles } from './module-files.ts';

// v1.7.0 needs Go 1.27; the machine's Go builds everything else with 1.26.
export const GATEWAY_API_VERSION = 'v1.6.3';

const SPEC: ModuleFiles<'httpRoutes'> = {
  name: 'gateway-api',
  module: 'sigs.k8s.io/gateway-api',
  version: GATEWAY_API_VERSION,
  files: { httpRoutes: 'config/crd/standard/gateway.networking.k8s.io_httproutes.yaml' },
};

export function ensureGatewayApiCrds(opts: { root?: string } = {}): Promise<Record<'httpRoutes', string>> {
  return ensureModuleFiles(opts.root ?? cacheRoot(), SPEC);
}
