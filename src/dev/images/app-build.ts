// What the Dockerfile's build and deps stages make, made here without Docker and cached by their
// inputs under ~/.cache/sluice/app: `dist/` compiled from src/ with tsconfig.build.json, and the
// production node_modules of `npm ci --omit=dev --ignore-scripts` on this package-lock.json.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cacheRoot } from '../binaries.ts';
import { acquireLock } from '../lock.ts';
import { run } from '../run.ts';

export const REPO = join(import.meta.dirname, '../../..');

function hashFiles(files: string[]): string {
  const h = createHash('sha256');
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

/** `dist/` as `npm run build` makes it, from the current sources; returns its directory. */
export function compiledDist(log: (s: string) => void = () => {}): Promise<string> {
  const inputs = [join(REPO, 'tsconfig.json'), join(REPO, 'tsconfig.build.json'), join(REPO, 'package-lock.json'), ...listFiles(join(REPO, 'src'))];
  return cached('dist', hashFiles(inputs), async (tmp) => {
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
  }, log);
  return join(dir, 'node_modules');
}
