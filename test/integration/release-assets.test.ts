// `npm run release:assets`: install.yaml runs the release's image everywhere the image is named,
// the packaged chart carries the version and renders that image, and the SBOM lists the production
// dependencies only. A version other than package.json's is refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ensureHelm } from '@sluice/devenv/helm';
import { releaseAssets, type ReleaseAssets } from '@sluice/devenv/release-assets';
import { run } from '@sluice/devenv/run';

const repo = new URL('../../', import.meta.url).pathname;
const version = (JSON.parse(readFileSync(`${repo}package.json`, 'utf8')) as { version: string }).version;
let out = '';
let assets: ReleaseAssets;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'sluice-release-test-'));
  assets = await releaseAssets(version, 'registry.test/team/sluice', out, () => {});
}, 20 * 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const images = (yaml: string) => [...yaml.matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]!).filter((i) => !i.startsWith('redis:'));

describe('release assets', () => {
  it('install.yaml runs the release image and names no other Sluice image', () => {
    const text = readFileSync(assets.installYaml, 'utf8');
    expect(images(text)).toEqual([`registry.test/team/sluice:${version}`]);
    expect(text).not.toContain('ghcr.io/sluice-dev/sluice');
    const kinds = parseAllDocuments(text).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(expect.arrayContaining(['CustomResourceDefinition', 'Namespace', 'ClusterRole', 'Deployment', 'NetworkPolicy']));
  });

  it('packages the chart at the version, rendering the release image', async () => {
    const helm = await ensureHelm();
    const meta = (await run(helm, ['show', 'chart', assets.chart])).stdout;
    expect(meta).toContain(`version: ${version}`);
    expect(meta).toContain(`appVersion: ${version}`);
    expect(images((await run(helm, ['template', 'sluice', assets.chart, '--namespace', 'sluice-system'])).stdout)).toEqual([`registry.test/team/sluice:${version}`]);
  });

  it('lists the production dependencies in a CycloneDX SBOM, and no dev dependency', () => {
    const sbom = JSON.parse(readFileSync(assets.sbom, 'utf8')) as { bomFormat: string; components: { name: string }[] };
    expect(sbom.bomFormat).toBe('CycloneDX');
    const names = new Set(sbom.components.map((c) => c.name));
    for (const dep of ['chromadb', 'bullmq', 'pg', '@kubernetes/client-node']) expect(names.has(dep), dep).toBe(true);
    for (const dev of ['vitest', 'eslint', 'typescript', 'tesseract.js']) expect(names.has(dev), dev).toBe(false);
  });

  it('refuses a version package.json does not have', async () => {
    await expect(releaseAssets('9.9.9', 'registry.test/sluice', out, () => {})).rejects.toThrow(`package.json says ${version}, the release is 9.9.9`);
  });
});
