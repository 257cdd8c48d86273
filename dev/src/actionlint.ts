// actionlint, the GitHub Actions workflow checker, built from the Go module proxy into the cache once
// per version: a test lints .github/workflows with it.
import { cacheRoot } from './binaries.ts';
import { ensureGoBinary, type GoBinary } from './go-build.ts';

export const ACTIONLINT_VERSION = 'v1.7.12';

const ACTIONLINT: GoBinary = {
  dir: `actionlint-${ACTIONLINT_VERSION}`,
  wrapper: 'actionlint',
  pkg: 'github.com/rhysd/actionlint/cmd/actionlint',
  version: ACTIONLINT_VERSION,
  binary: 'actionlint',
};

export async function ensureActionlint(opts: { root?: string; log?: (s: string) => void } = {}): Promise<string> {
  const log = opts.log ?? ((s: string) => console.error(`[actionlint] ${s}`));
  return ensureGoBinary(opts.root ?? cacheRoot(), ACTIONLINT, {
    building: () => log(`building actionlint ${ACTIONLINT_VERSION} from the Go module proxy (a minute, once)`),
    built: (s) => log(`built actionlint ${ACTIONLINT_VERSION} in ${s}s`),
  });
}
