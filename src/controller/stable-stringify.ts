// Moved to src/shared/ so that the data plane hashes job bodies exactly as the operator does.
export { stableStringify } from '../shared/stable-stringify.ts';
