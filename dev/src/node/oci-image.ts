// OCI images written from local files, without Docker or a registry: a tar of `oci-layout`,
// `index.json` and content-addressed blobs (config, manifest, layers), which `ctr images import`
// loads into containerd. An image is one layer of its own files, over the layers of the image it
// names as `over`. Layers are reproducible (sorted, mtime 0, root-owned).
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from '../run.ts';

export interface ImageFile {
  /** Absolute path inside the image. */
  path: string;
  /** A local file to copy (its mode is kept unless `mode` is given)... */
  from?: string;
  /** ...or the file's content. */
  content?: string;
  mode?: number;
}

export interface ImageSpec {
  /** Full reference, e.g. registry.k8s.io/pause:3.10.2 or sluice.local/coredns:v1.15.0. */
  name: string;
  files: ImageFile[];
  /** Empty directories to create (e.g. /tmp). */
  dirs?: string[];
  /** Local directories copied whole (symlinks kept as links), e.g. node_modules at /app/node_modules. */
  trees?: { path: string; from: string }[];
  config: { Entrypoint?: string[]; Cmd?: string[]; User?: string; WorkingDir?: string; Env?: string[] };
  /** An image whose layers come first (e.g. Sluice's, under the Chroma server's addon). */
  over?: ImageSpec;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function blob(dir: string, data: Buffer): { digest: string; size: number } {
  const hex = sha256(data);
  writeFileSync(join(dir, 'blobs', 'sha256', hex), data);
  return { digest: `sha256:${hex}`, size: data.length };
}

/** Writes `spec` as an OCI image archive at `out`; returns the manifest digest. */
export async function writeOciImage(spec: ImageSpec, out: string): Promise<string> {
  return (await writeOciImages([spec], out))[0]!;
}

/** The files of an image's own layer, without its name and config: equal contents share one layer. */
const contentKey = (spec: ImageSpec) => JSON.stringify([spec.files, spec.dirs ?? [], spec.trees ?? []]);

/** The images whose layers make up `spec`, bottom first. */
const stack = (spec: ImageSpec): ImageSpec[] => [...(spec.over ? stack(spec.over) : []), spec];

async function writeLayer(spec: ImageSpec, work: string, layout: string): Promise<{ digest: string; size: number }> {
  const rootfs = mkdtempSync(join(work, 'rootfs-'));
  // mkdtemp makes 0700, and the layer's "./" entry becomes the container's /: non-root users must traverse it.
  chmodSync(rootfs, 0o755);
  for (const d of spec.dirs ?? []) {
    mkdirSync(join(rootfs, d), { recursive: true });
    if (d === '/tmp') chmodSync(join(rootfs, d), 0o1777);
  }
  for (const t of spec.trees ?? []) {
    mkdirSync(dirname(join(rootfs, t.path)), { recursive: true });
    // Hard links when the tree is on the same filesystem (node_modules is hundreds of MB); a copy otherwise.
    await run('cp', ['-al', t.from, join(rootfs, t.path)]).catch(() => run('cp', ['-a', '--no-preserve=ownership', t.from, join(rootfs, t.path)]));
  }
  for (const f of spec.files) {
    const dest = join(rootfs, f.path);
    mkdirSync(dirname(dest), { recursive: true });
    if (f.from !== undefined) copyFileSync(f.from, dest);
    else writeFileSync(dest, f.content ?? '');
    chmodSync(dest, f.mode ?? (f.from !== undefined ? statSync(f.from).mode & 0o7777 : 0o644));
  }
  const layerTar = join(work, 'layer.tar');
  await run('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu', '-C', rootfs, '-cf', layerTar, '.']);
  const layer = blob(layout, readFileSync(layerTar));
  rmSync(layerTar);
  rmSync(rootfs, { recursive: true, force: true });
  return layer;
}

/**
 * Writes `specs` as one OCI image archive at `out` (one index entry per image; images with the
 * same files, or over the same image, share those layer blobs, so containerd stores and unpacks
 * them once); returns the manifest digests in order.
 */
export async function writeOciImages(specs: ImageSpec[], out: string): Promise<string[]> {
  const work = mkdtempSync(join(dirname(out), '.oci-'));
  try {
    const layout = join(work, 'layout');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    const layers = new Map<string, { digest: string; size: number }>();
    const entries: object[] = [];
    const digests: string[] = [];
    for (const spec of specs) {
      const own: { digest: string; size: number }[] = [];
      for (const part of stack(spec)) {
        const key = contentKey(part);
        const layer = layers.get(key) ?? (await writeLayer(part, work, layout));
        layers.set(key, layer);
        own.push(layer);
      }
      const config = blob(
        layout,
        Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: spec.config, rootfs: { type: 'layers', diff_ids: own.map((l) => l.digest) } })),
      );
      const manifest = blob(
        layout,
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
            layers: own.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l })),
          }),
        ),
      );
      const tag = spec.name.slice(spec.name.lastIndexOf(':') + 1);
      entries.push({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        ...manifest,
        annotations: { 'io.containerd.image.name': spec.name, 'org.opencontainers.image.ref.name': tag },
      });
      digests.push(manifest.digest);
    }
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
    await run('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', layout, '-cf', out, 'oci-layout', 'index.json', 'blobs']);
    return digests;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The shared libraries `ldd` names for `binary` (including the dynamic loader), as image files at the same paths. */
export async function sharedLibraries(binary: string): Promise<ImageFile[]> {
  const { stdout } = await run('ldd', [binary]);
  const files: ImageFile[] = [];
  for (const line of stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m) files.push({ path: m[1]!, from: m[1]! });
  }
  return files;
}

/** The paths in the layer of image `name` in an archive writeOciImages wrote, as `tar -t` lists them (`./app/...`). */
export async function listImageFiles(archive: string, name: string): Promise<string[]> {
  const member = async (path: string) => (await run('tar', ['-xOf', archive, path])).stdout;
  const index = JSON.parse(await member('index.json')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const entry = index.manifests.find((m) => m.annotations?.['io.containerd.image.name'] === name);
  if (!entry) throw new Error(`no image ${name} in ${archive}`);
  const blobPath = (digest: string) => `blobs/sha256/${digest.replace(/^sha256:/, '')}`;
  const manifest = JSON.parse(await member(blobPath(entry.digest))) as { layers: { digest: string }[] };
  const listed = await Promise.all(manifest.layers.map((l) => run('sh', ['-c', 'tar -xOf "$1" "$2" | tar -t', 'sh', archive, blobPath(l.digest)])));
  return listed.flatMap((l) => l.stdout.split('\n').filter(Boolean));
}
