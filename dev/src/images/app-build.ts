// What the Dockerfile's build and deps stages make, made here without Docker and cached by their
// inputs under ~/.cache/sluice/app: `dist/` compiled from src/ with tsconfig.build.json, the
// production node_modules of `npm ci --omit=dev --ignore-scripts` on this package-lock.json, and
// Node. Native code is stripped of its debug information (`strip --strip-unneeded`): most of the
// Chroma server's addon is debug information, which a node would otherwise import every run.
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cacheRoot } from '../binaries.ts';
import { acquireLock } from '../lock.ts';
import { run } from '../run.ts';

export const REPO = join(import.meta.dirname, '../../..');

/** Bump when what a cached build holds changes for the same inputs. */
const RECIPE = 'stripped-2';

/**
 * chromadb's optional dependency for `chroma run`, the Chroma server's native addon (46 MB even
 * stripped): the data plane only ever uses chromadb's HTTP client, so the image leaves it out,
 * as the Dockerfile's deps stage does. The dev Chroma image adds it back in a layer of its own.
 */
export const CHROMA_SERVER_ADDON = /^chromadb-js-bindings-/;

/** Removes every package directory named like CHROMA_SERVER_ADDON under `nodeModules`. */
function removeChromaServerAddon(nodeModules: string): void {
  for (const e of readdirSync(nodeModules, { withFileTypes: true, recursive: true })) {
    if (e.isDirectory() && CHROMA_SERVER_ADDON.test(e.name) && e.parentPath.endsWith('node_modules')) rmSync(join(e.parentPath, e.name), { recursive: true, force: true });
  }
}

function hashFiles(files: string[]): string {
  const h = createHash('sha256').update(RECIPE);
  for (const f of files) h.update(relative(REPO, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 16);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/** Builds `dir` once through `make(tmp)`, under a lock; other `prefix`-named builds are removed as stale. */
async function cached(prefix: string, key: string, make: (tmp: string) => Promise<void>, log: (s: string) => void): Promise<string> {
  const root = join(cacheRoot(), 'app');
  const dir = join(root, `${prefix}-${key}`);
  if (existsSync(dir)) return dir;
  mkdirSync(root, { recursive: true });
  const release = await acquireLock(join(root, `${prefix}.lock`), prefix, log);
  try {
    if (existsSync(dir)) return dir;
    const tmp = `${dir}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    await make(tmp);
    renameSync(tmp, dir);
    for (const e of readdirSync(root)) if (e.startsWith(`${prefix}-`) && join(root, e) !== dir) rmSync(join(root, e), { recursive: true, force: true });
    return dir;
  } finally {
    release();
  }
}

/** What `dist/` is compiled from, and so keyed by: the product's sources only, so dev tooling never rebuilds the image. */
export function distInputs(): string[] {
  return [join(REPO, 'tsconfig.json'), join(REPO, 'tsconfig.build.json'), join(REPO, 'package-lock.json'), ...listFiles(join(REPO, 'src'))];
}

/** `dist/` as `npm run build` makes it, from the current sources; returns its directory. */
export function compiledDist(log: (s: string) => void = () => {}): Promise<string> {
  return cached('dist', hashFiles(distInputs()), async (tmp) => {
    log('compiling dist/ (tsc -p tsconfig.build.json)');
    await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.build.json'), '--outDir', tmp], { cwd: REPO });
  }, log);
}

/** The production dependencies, installed from package-lock.json; returns the node_modules directory. */
export async function productionNodeModules(log: (s: string) => void = () => {}): Promise<string> {
  const manifest = [join(REPO, 'package.json'), join(REPO, 'package-lock.json')];
  const dir = await cached('node-modules', hashFiles(manifest), async (tmp) => {
    log('installing production node_modules (npm ci --omit=dev --ignore-scripts)');
    for (const f of manifest) copyFileSync(f, join(tmp, relative(REPO, f)));
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: tmp });
    removeChromaServerAddon(join(tmp, 'node_modules'));
    for (const addon of nativeAddons(join(tmp, 'node_modules'))) await run('strip', ['--strip-unneeded', addon]);
  }, log);
  return join(dir, 'node_modules');
}

/** The Chroma server's addon package as this checkout's npm ci installed it, stripped; returns its directory. */
export async function chromaServerAddon(pkgPath: string, version: string, log: (s: string) => void = () => {}): Promise<string> {
  const dir = await cached('chroma-addon', `${version}-${RECIPE}`, async (tmp) => {
    await run('cp', ['-a', join(REPO, pkgPath), join(tmp, 'package')]);
    for (const addon of nativeAddons(join(tmp, 'package'))) await run('strip', ['--strip-unneeded', addon]);
  }, log);
  return join(dir, 'package');
}

/** The Node binary of the `node` npm package, stripped; refuses any other major than the Dockerfile's 24. */
export async function nodeBinary(log: (s: string) => void = () => {}): Promise<string> {
  const pkg = JSON.parse(readFileSync(join(REPO, 'node_modules/node/package.json'), 'utf8')) as { version: string };
  if (!pkg.version.startsWith('24.')) throw new Error(`node_modules/node is ${pkg.version}; the image needs Node 24 (run npm ci)`);
  const dir = await cached('nodejs', `${pkg.version}-${RECIPE}`, async (tmp) => {
    copyFileSync(join(REPO, 'node_modules/node/bin/node'), join(tmp, 'node'));
    await run('strip', ['--strip-unneeded', join(tmp, 'node')]);
  }, log);
  return join(dir, 'node');
}

function isElf(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b.toString('latin1') === '\x7fELF';
  } finally {
    closeSync(fd);
  }
}

/** Native addons (glibc builds; musl ones never load here) under `dir`. */
export function nativeAddons(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.node') || e.name.includes('musl')) continue;
    const p = join(e.parentPath, e.name);
    if (isElf(p)) out.push(p);
  }
  return out.sort();
}
