// Sluice's own image, assembled without Docker to the Dockerfile's shape: Node 24 (the binary of the
// `node` npm package this repo pins, stripped) with its libraries and prlimit(1) from Debian's packages,
// /app/dist, the production node_modules and package.json, run as uid 1000 with the same entry
// point. It is named as the manifests name it, so `kubectl apply -k .` runs what was built here.
import { join } from 'node:path';
import { DEFAULT_IMAGE, OCR_LANGUAGES } from '../product.ts';
import type { ImageSpec } from '../node/oci-image.ts';
import { compiledDist, nativeAddons, nodeBinary, productionNodeModules, REPO } from './app-build.ts';
import { debianTree } from './debian-tree.ts';

export const SLUICE_IMAGE = DEFAULT_IMAGE;

export const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The image config the Dockerfile's final stage gives (test/unit/dockerfile-agreement.test.ts holds them together). */
export const SLUICE_IMAGE_CONFIG = {
  Entrypoint: ['node', 'dist/main.js'],
  Cmd: ['controller'],
  User: '1000:1000',
  WorkingDir: '/app',
  Env: [`PATH=${IMAGE_PATH}`, 'NODE_ENV=production'],
};

/** Where the Dockerfile's COPY lines put the app, inside WorkingDir. */
export const APP_PATHS = { dist: '/app/dist', nodeModules: '/app/node_modules', packageJson: '/app/package.json' };

/** Where the image keeps the commands it runs: Node (as the official image does), prlimit, and the OCR engine. */
export const BINARIES = { node: '/usr/local/bin/node', prlimit: '/usr/bin/prlimit', tesseract: '/usr/bin/tesseract' };

/** Tesseract with the language data the CRD offers (crd/ocr.ts), from Debian's packages, as the Dockerfile installs them. */
export const OCR_PACKAGES = ['tesseract-ocr', 'tesseract-ocr-osd', ...OCR_LANGUAGES.map((l) => `tesseract-ocr-${l}`)];
const TESSDATA = '/usr/share/tesseract-ocr/';

/** The `node` user of the official Node images (uid/gid 1000), which the operator's pods run as. */
export const PASSWD = 'root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000:node:/home/node:/usr/sbin/nologin\n';
export const GROUP = 'root:x:0:\nnode:x:1000:\n';

/** Node, prlimit, Tesseract and its language data, and the libraries they and the native addons need, from Debian's packages. */
export async function nodeRuntimeFiles(nodeModules: string, log: (s: string) => void): Promise<ImageSpec['files']> {
  const debian = await debianTree(['libc6', 'libstdc++6', 'libgcc-s1', 'util-linux', ...OCR_PACKAGES], log);
  const node = await nodeBinary(log);
  const prlimit = debian.resolve(BINARIES.prlimit);
  const tesseract = debian.resolve(BINARIES.tesseract);
  return [
    { path: BINARIES.node, from: node },
    { path: BINARIES.prlimit, from: prlimit },
    { path: BINARIES.tesseract, from: tesseract },
    ...debian.tree(TESSDATA),
    ...(await debian.librariesOf([node, prlimit, tesseract, ...nativeAddons(nodeModules)])),
    { path: '/etc/passwd', content: PASSWD },
    { path: '/etc/group', content: GROUP },
  ];
}

export async function sluiceImage(log: (s: string) => void = () => {}): Promise<ImageSpec> {
  const [dist, nodeModules] = [await compiledDist(log), await productionNodeModules(log)];
  return {
    name: SLUICE_IMAGE,
    files: [...(await nodeRuntimeFiles(nodeModules, log)), { path: APP_PATHS.packageJson, from: join(REPO, 'package.json') }],
    dirs: ['/tmp', '/home/node'],
    trees: [
      { path: APP_PATHS.dist, from: dist },
      { path: APP_PATHS.nodeModules, from: nodeModules },
    ],
    config: SLUICE_IMAGE_CONFIG,
  };
}
