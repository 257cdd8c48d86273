// Every image the local cluster runs, built from local files and Debian's packages: Sluice's own,
// and Redis, PostgreSQL and Chroma for the dev stores. They are written as one OCI archive (Chroma's
// image is Sluice's layer and one of its own), cached under ~/.cache/sluice/images by what went into it, so a
// warm build only checks its inputs; then imported into the node's containerd.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../binaries.ts';
import { importArchive, type Ctr } from '../node/images.ts';
import { writeOciImages, type ImageSpec } from '../node/oci-image.ts';
import { chromaImage } from './chroma-image.ts';
import { postgresImage } from './postgres-image.ts';
import { redisImage } from './redis-image.ts';
import { sluiceImage } from './sluice-image.ts';

export async function devImageSpecs(log: (s: string) => void = () => {}): Promise<ImageSpec[]> {
  const sluice = await sluiceImage(log);
  return [sluice, await chromaImage(sluice, log), await redisImage(log), await postgresImage(log)];
}

/** A key for what `specs` would write: names, configs, contents and each local file's size and mtime. */
function specsKey(specs: ImageSpec[]): string {
  const stamp = (p: string) => {
    const s = statSync(p);
    return `${s.size}:${s.mtimeMs}:${s.mode}`;
  };
  const h = createHash('sha256');
  for (const s of specs) {
    h.update(JSON.stringify({ name: s.name, over: s.over?.name, config: s.config, dirs: s.dirs, trees: s.trees }));
    for (const f of s.files) h.update(JSON.stringify([f.path, f.mode, f.content, f.from === undefined ? undefined : `${f.from}@${stamp(f.from)}`]));
  }
  return h.digest('hex').slice(0, 16);
}

/** The OCI archive of `specs`, written once per distinct input. */
export async function imageArchive(specs: ImageSpec[], log: (s: string) => void = () => {}): Promise<string> {
  const dir = join(cacheRoot(), 'images');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `dev-${specsKey(specs)}.tar`);
  if (existsSync(out)) return out;
  log(`writing images ${specs.map((s) => s.name).join(', ')}`);
  const tmp = `${out}.${process.pid}.tmp`;
  await writeOciImages(specs, tmp);
  renameSync(tmp, out);
  for (const e of readdirSync(dir)) if (e.startsWith('dev-') && e.endsWith('.tar') && join(dir, e) !== out) rmSync(join(dir, e), { force: true });
  return out;
}

/** Builds (or finds) every dev image and imports them into the node's containerd; returns their names. */
export async function importDevImages(ctr: Ctr, log: (s: string) => void = () => {}): Promise<string[]> {
  const t0 = Date.now();
  const specs = await devImageSpecs(log);
  const archive = await imageArchive(specs, log);
  const t1 = Date.now();
  await importArchive(ctr, archive);
  log(`images built in ${((t1 - t0) / 1000).toFixed(1)} s, imported in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  return specs.map((s) => s.name);
}
