// `npm run image -- --push REF [--insecure]`: builds Sluice's image as the Dockerfile would, without
// Docker (images/sluice-image.ts), and pushes it to REF with crane, to any registry crane's
// credentials reach (`crane auth login`, or a Docker config). linux/amd64 only for now.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCrane } from './crane.ts';
import { sluiceImage } from './images/sluice-image.ts';
import { writeOciImage } from './node/oci-image.ts';
import { run } from './run.ts';

export interface PushOptions {
  /** Plain HTTP, or TLS without verification: for a registry of one's own network. */
  insecure?: boolean;
  log?: (s: string) => void;
}

/** Pushes the image built from this checkout to `ref`; returns the digest the registry holds. */
export async function pushImage(ref: string, opts: PushOptions = {}): Promise<{ digest: string; bytes: number }> {
  const log = opts.log ?? ((s: string) => console.error(`[image] ${s}`));
  const crane = await ensureCrane({ log });
  const spec = { ...(await sluiceImage(log)), name: ref };
  const work = mkdtempSync(join(tmpdir(), 'sluice-image-'));
  try {
    const archive = join(work, 'image.tar');
    await writeOciImage(spec, archive);
    const layout = join(work, 'layout');
    mkdirSync(layout);
    await run('tar', ['-xf', archive, '-C', layout]);
    const insecure = opts.insecure ? ['--insecure'] : [];
    await run(crane, ['push', ...insecure, layout, ref]);
    const digest = (await run(crane, ['digest', ...insecure, ref])).stdout.trim();
    const manifest = JSON.parse((await run(crane, ['manifest', ...insecure, ref])).stdout) as { config: { size: number }; layers: { size: number }[] };
    return { digest, bytes: manifest.config.size + manifest.layers.reduce((a, l) => a + l.size, 0) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function usage(message: string): never {
  console.error(`${message}\nusage: npm run image -- --push REF [--insecure]`);
  process.exit(2);
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--push');
  const ref = at >= 0 ? args[at + 1] : undefined;
  if (!ref || ref.startsWith('--')) usage('--push needs an image reference, e.g. registry.example.com/sluice:0.1.0');
  const unknown = args.filter((a, i) => i !== at && i !== at + 1 && a !== '--insecure');
  if (unknown.length > 0) usage(`unknown argument ${JSON.stringify(unknown[0])}`);
  const { digest, bytes } = await pushImage(ref, { insecure: args.includes('--insecure') });
  console.log(`pushed ${ref}@${digest} (${(bytes / 1e6).toFixed(1)} MB, linux/amd64)`);
}
