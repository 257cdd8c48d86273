// The generated CRD files, as path and content, shared by the generator and the drift test.
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { buildCrds } from './crd-builder.ts';

export const CRDS_DIR = fileURLToPath(new URL('../../crds/', import.meta.url));
/** Helm installs a chart's CRDs from its crds/ directory: the same files. */
export const CHART_CRDS_DIR = fileURLToPath(new URL('../../charts/sluice/crds/', import.meta.url));

const HEADER = '# Generated from src/crd by `npm run gen:crds`. Do not edit by hand.\n';

export function crdFiles(): { path: string; content: string }[] {
  return buildCrds().flatMap((crd) => {
    const content = HEADER + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false });
    const file = `${crd.spec.group}_${crd.spec.names.plural}.yaml`;
    return [CRDS_DIR, CHART_CRDS_DIR].map((dir) => ({ path: `${dir}${file}`, content }));
  });
}
