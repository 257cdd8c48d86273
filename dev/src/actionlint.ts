// actionlint, the GitHub Actions workflow checker, built from the Go module proxy into the cache once
// per version: a test lints .github/workflows with it.
import { goBinary, goTool } from './go-build.ts';

export const ACTIONLINT_VERSION = 'v1.7.12';

const ACTIONLINT = goBinary('actionlint', 'github.com/rhysd/actionlint/cmd/actionlint', ACTIONLINT_VERSION);

/** Returns the path of `actionlint`, building it if the cache lacks it. */
export const ensureActionlint = goTool(ACTIONLINT, 'actionlint', 'a minute');
