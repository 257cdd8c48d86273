// `npm run binaries`: build (or find) the cached Kubernetes, etcd and SeaweedFS binaries and print their paths.
import { ensureBinaries } from './binaries.ts';
import { ensureWeed } from './seaweedfs.ts';

const t = Date.now();
const paths = { ...(await ensureBinaries()), weed: await ensureWeed() };
console.log(JSON.stringify(paths, null, 2));
console.error(`[binaries] ready in ${((Date.now() - t) / 1000).toFixed(1)}s`);
