// `npm run image -- --push REF` against a real registry (distribution's, built from the Go module
// proxy, on loopback): the image lands with the Dockerfile's config and the very layer the local
// node runs, and a push without a reference is refused with the usage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCrane } from '@sluice/devenv/crane';
import { devImageSpecs, imageArchive } from '@sluice/devenv/images/dev-images';
import { SLUICE_IMAGE, SLUICE_IMAGE_CONFIG } from '@sluice/devenv/images/sluice-image';
import { startRegistry, type LocalRegistry } from '@sluice/devenv/registry';
import { CommandError, run } from '@sluice/devenv/run';

const repo = new URL('../../', import.meta.url).pathname;
let registry: LocalRegistry;
let crane = '';

beforeAll(async () => {
  [registry, crane] = await Promise.all([startRegistry(), ensureCrane()]);
}, 20 * 60_000);
afterAll(async () => {
  await registry?.stop();
});

const image = (...args: string[]) => run(process.execPath, ['dev/src/image.ts', ...args], { cwd: repo });

describe('npm run image -- --push', () => {
  it('pushes the image the node runs, with the Dockerfile\'s config', async () => {
    const ref = `${registry.host}/sluice:push-test`;
    const { stdout } = await image('--push', ref);
    const digest = (await run(crane, ['digest', ref])).stdout.trim();
    expect(stdout).toMatch(new RegExp(`^pushed ${ref}@${digest} \\(\\d+\\.\\d MB, linux/amd64\\)`));
    const config = JSON.parse((await run(crane, ['config', ref])).stdout) as { architecture: string; os: string; config: object };
    expect(config).toMatchObject({ architecture: 'amd64', os: 'linux', config: SLUICE_IMAGE_CONFIG });
    // The same layer, byte for byte, as the archive the local node imports.
    const pushed = JSON.parse((await run(crane, ['manifest', ref])).stdout) as { layers: { digest: string }[] };
    const archive = await imageArchive(await devImageSpecs());
    const local = JSON.parse((await run('tar', ['-xOf', archive, 'index.json'])).stdout) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    const entry = local.manifests.find((m) => m.annotations['io.containerd.image.name'] === SLUICE_IMAGE)!;
    const localManifest = JSON.parse((await run('tar', ['-xOf', archive, `blobs/sha256/${entry.digest.slice(7)}`])).stdout) as { layers: { digest: string }[] };
    expect(pushed.layers.map((l) => l.digest)).toEqual(localManifest.layers.map((l) => l.digest));
  });

  it('refuses to run without a reference, saying how to call it', async () => {
    const err = await image('--push').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).code).toBe(2);
    expect((err as CommandError).stderr).toContain('usage: npm run image -- --push REF [--insecure]');
  });
});
