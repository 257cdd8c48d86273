// crane, go-containerregistry's registry client, built from the Go module proxy into the cache once
// per version: `npm run image -- --push REF` pushes the image with it, to any registry.
import { cacheRoot } from './binaries.ts';
import { ensureGoBinary, type GoBinary } from './go-build.ts';

export const CRANE_VERSION = 'v0.22.1';

const CRANE: GoBinary = {
  dir: `crane-${CRANE_VERSION}`,
  wrapper: 'crane',
  pkg: 'github.com/google/go-containerregistry/cmd/crane',
  version: CRANE_VERSION,
  binary: 'crane',
};

/** Returns the path of `crane`, building it if the cache lacks it. */
export async function ensureCrane(opts: { root?: string; log?: (s: string) => void } = {}): Promise<string> {
  const log = opts.log ?? ((s: string) => console.error(`[crane] ${s}`));
  return ensureGoBinary(opts.root ?? cacheRoot(), CRANE, {
    building: () => log(`building crane ${CRANE_VERSION} from the Go module proxy (a minute or two, once)`),
    built: (s) => log(`built crane ${CRANE_VERSION} in ${s}s`),
  });
}
