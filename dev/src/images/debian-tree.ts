// Debian packages fetched with apt-get from the machine's configured repositories and unpacked
// (dpkg-deb -x) into the cache, one directory per package version, so images are made from
// Debian's own files rather than whatever this host has installed. A binary's libraries are
// found by following its ELF NEEDED entries through the unpacked packages; a library none of them
// holds is an error naming it.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { cacheRoot } from '../binaries.ts';
import { acquireLock } from '../lock.ts';
import type { ImageFile } from '../node/oci-image.ts';
import { run } from '../run.ts';

/** Alternatives apt-cache lists beside the real dependency that would shadow its libraries. */
const SHADOWING = new Set(['libelogind0']);

/** The packages `roots` need at run time: themselves plus every library package (lib*, zlib*) they depend on, recursively. */
async function libraryClosure(roots: string[]): Promise<string[]> {
  const { stdout } = await run('apt-cache', [
    'depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', ...roots,
  ]);
  const names = new Set(roots);
  for (const line of stdout.split('\n')) {
    if (line === '' || line.startsWith(' ') || line.startsWith('<')) continue;
    if (/^(lib|zlib)/.test(line) && !SHADOWING.has(line)) names.add(line);
  }
  return [...names].sort();
}

export class DebianTree {
  /** In-image path → the unpacked file, for every file of every package. */
  private readonly files = new Map<string, string>();
  /** Library file name → in-image path, for files under a lib directory. */
  private readonly libraries = new Map<string, string>();

  readonly packages: { name: string; dir: string }[];

  constructor(packages: { name: string; dir: string }[]) {
    this.packages = packages;
    for (const p of packages) this.index(p.dir, '/');
  }

  private index(root: string, rel: string): void {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = posix.join(rel, entry.name);
      if (entry.isDirectory()) this.index(root, path);
      else {
        this.files.set(path, join(root, path));
        if (/\/lib(64|32)?\//.test(path) && /\.so(\.|$)/.test(entry.name) && !this.libraries.has(entry.name)) this.libraries.set(entry.name, path);
      }
    }
  }

  /** The unpacked file at `path` with symlinks followed inside the tree (an absolute link means the tree's root, not this host's). */
  resolve(path: string, depth = 0): string {
    const local = this.files.get(path);
    if (local === undefined) throw new Error(`no package among ${this.packages.map((p) => p.name).join(', ')} holds ${path}`);
    if (!lstatSync(local).isSymbolicLink()) return local;
    if (depth > 20) throw new Error(`symlink loop at ${path}`);
    const target = readlinkSync(local);
    return this.resolve(isAbsolute(target) ? target : posix.join(posix.dirname(path), target), depth + 1);
  }

  /** `path` as an image file at the same path (its content, symlinks followed). */
  file(path: string): ImageFile {
    return { path, from: this.resolve(path) };
  }

  /** Every file whose in-image path starts with `prefix`, as image files. */
  tree(prefix: string, keep: (path: string) => boolean = () => true): ImageFile[] {
    const out: ImageFile[] = [];
    for (const path of this.files.keys()) if (path.startsWith(prefix) && keep(path) && !lstatSync(this.files.get(path)!).isSymbolicLink()) out.push(this.file(path));
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }

  /** The dynamic loader and every library `binaries` (host files) need, transitively, from the tree. */
  async librariesOf(binaries: string[]): Promise<ImageFile[]> {
    const found = new Map<string, ImageFile>();
    const queue = [...binaries];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const bin = queue.shift()!;
      if (seen.has(bin)) continue;
      seen.add(bin);
      const { stdout } = await run('readelf', ['-d', '-l', '-W', bin]);
      const interp = /\[Requesting program interpreter: (\S+)\]/.exec(stdout)?.[1];
      if (interp && !found.has(interp)) found.set(interp, this.file(interp));
      for (const m of stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)) {
        const soname = m[1]!;
        const path = this.libraries.get(soname);
        if (path === undefined) throw new Error(`${bin} needs ${soname}, which none of the Debian packages ${this.packages.map((p) => p.name).join(', ')} holds`);
        if (found.has(path)) continue;
        const file = this.file(path);
        found.set(path, file);
        queue.push(file.from!);
      }
    }
    return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
  }
}

/** apt's package lists change with `apt-get update`; what they resolve to is kept until then. */
function aptListsStamp(): string {
  const dir = '/var/lib/apt/lists';
  return readdirSync(dir)
    .filter((f) => f.endsWith('Packages') || f.endsWith('Release'))
    .sort()
    .map((f) => `${f}@${statSync(join(dir, f)).mtimeMs}`)
    .join(',');
}

/** The .deb file names (name_version_arch.deb) of `roots` and their library packages, as apt resolves them now. */
async function packageFiles(roots: string[], cache: string): Promise<string[]> {
  const key = createHash('sha256').update(JSON.stringify([[...roots].sort(), aptListsStamp()])).digest('hex').slice(0, 16);
  const memo = join(cache, 'resolved', `${key}.json`);
  if (existsSync(memo)) return JSON.parse(readFileSync(memo, 'utf8')) as string[];
  const names = await libraryClosure(roots);
  // "'http://…/libc6_2.36-9+deb12u13_amd64.deb' libc6_2.36-9+deb12u13_amd64.deb 2757936 SHA256:…";
  // from an empty directory, since apt-get leaves out what its working directory already holds.
  const empty = mkdtempSync(join(tmpdir(), 'sluice-apt-'));
  let stdout: string;
  try {
    ({ stdout } = await run('apt-get', ['download', '--print-uris', ...names], { cwd: empty }));
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  const files = [...stdout.matchAll(/^'[^']+' (\S+\.deb) /gm)].map((m) => m[1]!);
  if (files.length !== names.length) throw new Error(`apt-get knows ${files.length} of the ${names.length} packages ${names.join(' ')}; run apt-get update`);
  mkdirSync(dirname(memo), { recursive: true });
  writeFileSync(memo, JSON.stringify(files));
  return files;
}

/** Downloads (once) and unpacks the candidate versions of `roots` and their library packages. */
export async function debianTree(roots: string[], log: (s: string) => void = () => {}): Promise<DebianTree> {
  const cache = join(cacheRoot(), 'debian');
  const debs = join(cache, 'debs');
  mkdirSync(debs, { recursive: true });
  /** The .deb files of `roots` and their libraries, downloaded if the cache lacks them. */
  const download = async (): Promise<string[]> => {
    const wanted = await packageFiles(roots, cache);
    const missing = wanted.filter((f) => !existsSync(join(debs, f)));
    if (missing.length > 0) {
      log(`downloading ${missing.length} Debian packages`);
      // name=version pins what --print-uris chose; apt-get writes "name_version_arch.deb" here.
      const pins = missing.map((f) => {
        const [name, version] = f.split('_');
        return `${name}=${decodeURIComponent(version!)}`;
      });
      await run('apt-get', ['download', ...pins], { cwd: debs });
    }
    return wanted;
  };
  const release = await acquireLock(join(cache, 'lock'), 'Debian packages', log);
  try {
    // A fresh machine may have no package lists, or old ones naming versions the mirror dropped.
    const wanted = await download().catch(async (e: unknown) => {
      log(`apt could not fetch ${roots.join(' ')} (${(e as Error).message.split('\n')[0]}); running apt-get update`);
      await run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'update'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      return download();
    });
    const packages: { name: string; dir: string }[] = [];
    for (const f of wanted) {
      const dir = join(cache, 'root', f.replace(/\.deb$/, ''));
      if (!existsSync(dir)) {
        const tmp = `${dir}.tmp`;
        rmSync(tmp, { recursive: true, force: true });
        mkdirSync(dirname(tmp), { recursive: true });
        await run('dpkg-deb', ['-x', join(debs, f), tmp]);
        renameSync(tmp, dir);
      }
      packages.push({ name: f.split('_')[0]!, dir });
    }
    return new DebianTree(packages);
  } finally {
    release();
  }
}
