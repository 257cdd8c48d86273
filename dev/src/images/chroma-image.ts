// Chroma for the dev stores: the `chroma run` server of the chromadb npm package (the pinned
// chromadb-js-bindings-linux-x64-gnu), as the dataplane tests run it. It is Sluice's image with
// another entry point: the same files, so containerd stores and unpacks one layer for both.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSpec } from '../node/oci-image.ts';
import { REPO } from './app-build.ts';

function bindingsVersion(): string {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const v = lock.packages['node_modules/chromadb/node_modules/chromadb-js-bindings-linux-x64-gnu']?.version ?? lock.packages['node_modules/chromadb-js-bindings-linux-x64-gnu']?.version;
  if (!v) throw new Error('package-lock.json has no chromadb-js-bindings-linux-x64-gnu');
  return v;
}

export const chromaImageName = () => `sluice.local/chroma:${bindingsVersion()}`;

export const CHROMA_PORT = 8000;

export function chromaImage(sluice: ImageSpec): ImageSpec {
  return {
    ...sluice,
    name: chromaImageName(),
    config: {
      ...sluice.config,
      Entrypoint: ['node', 'node_modules/chromadb/dist/cli.mjs'],
      Cmd: ['run', '--path', '/data', '--host', '0.0.0.0', '--port', String(CHROMA_PORT)],
    },
  };
}
