// Chroma for the dev stores: the `chroma run` server of the chromadb npm package (the pinned
// chromadb-js-bindings-linux-x64-gnu), as the dataplane tests run it. It is Sluice's image, whose
// layer containerd stores and unpacks once for both, with the server's native addon (which
// Sluice's image leaves out) in a layer of its own, and another entry point.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSpec } from '../node/oci-image.ts';
import { chromaServerAddon, REPO } from './app-build.ts';
import { APP_PATHS } from './sluice-image.ts';

const ADDON = 'chromadb-js-bindings-linux-x64-gnu';
/** Where npm puts it: under chromadb, whose optional dependency it is. */
const ADDON_PATH = `node_modules/chromadb/node_modules/${ADDON}`;

function bindingsVersion(): string {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const v = lock.packages[ADDON_PATH]?.version;
  if (!v) throw new Error(`package-lock.json has no ${ADDON_PATH}`);
  return v;
}

export const chromaImageName = () => `sluice.local/chroma:${bindingsVersion()}`;

export const CHROMA_PORT = 8000;

export async function chromaImage(sluice: ImageSpec, log: (s: string) => void = () => {}): Promise<ImageSpec> {
  return {
    name: chromaImageName(),
    over: sluice,
    files: [],
    trees: [{ path: `${APP_PATHS.nodeModules}/chromadb/node_modules/${ADDON}`, from: await chromaServerAddon(ADDON_PATH, bindingsVersion(), log) }],
    config: {
      ...sluice.config,
      Entrypoint: ['node', 'node_modules/chromadb/dist/cli.mjs'],
      Cmd: ['run', '--path', '/data', '--host', '0.0.0.0', '--port', String(CHROMA_PORT)],
    },
  };
}
