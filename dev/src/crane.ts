// crane, go-containerregistry's registry client, built from the Go module proxy into the cache once
// per version: `npm run image -- --push REF` pushes the image with it, to any registry.
import { goBinary, goTool } from './go-build.ts';

export const CRANE_VERSION = 'v0.22.1';

const CRANE = goBinary('crane', 'github.com/google/go-containerregistry/cmd/crane', CRANE_VERSION);

/** Returns the path of `crane`, building it if the cache lacks it. */
export const ensureCrane = goTool(CRANE, 'crane', 'a minute or two');
