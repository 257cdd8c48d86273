// The generated CRD files, as path and content, shared by the generator and the drift test.
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { buildCrds } from './crd-builder.ts';

export const CRDS_DIR = fileURLToPath(new URL('../../crds/', import.meta.url));

const HEADER = '# Generated from src/crd by `npm run gen:crds`. Do not edit by hand.\n';

export function crdFiles(): { path: string; content: string }[] {
  return buildCrds().map((crd) => ({
    path: `${CRDS_DIR}${crd.spec.group}_${crd.spec.names.plural}.yaml`,
    content: HEADER + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false }),
  }));
}
