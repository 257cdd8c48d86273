// The product modules the local environment uses, in one place: what it installs (the CRDs), the
// image name the manifests run and the OCR languages its image carries, and the operator key's
// line in the API's keys file.
// The product never imports this package (eslint.config.js keeps it so).
export { operatorKeyLine } from '../../src/controller/builders/operator-key.ts';
export { DEFAULT_IMAGE } from '../../src/controller/constants.ts';
export { buildCrds } from '../../src/crd/crd-builder.ts';
export { CRDS_DIR } from '../../src/crd/crd-files.ts';
export { OCR_LANGUAGES } from '../../src/crd/ocr.ts';
