// `npm run release:assets -- --version X.Y.Z --image REPO --out DIR`: what a release attaches and
// publishes besides the image, made from this checkout: install.yaml (`kubectl kustomize .` with
// the image set to REPO:X.Y.Z), the chart packaged at that version and appVersion, and an SBOM of
// the production dependencies (`npm sbom`, CycloneDX). .github/workflows/release.yml runs it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureBinaries } from './binaries.ts';
import { ensureHelm } from './helm.ts';
import { REPO } from './images/app-build.ts';
import { DEFAULT_IMAGE } from './product.ts';
import { run } from './run.ts';

export interface ReleaseAssets {
  installYaml: string;
  chart: string;
  sbom: string;
}

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** The image's name without its tag, as the manifests and kustomize's `images` name it. */
const IMAGE_NAME = DEFAULT_IMAGE.slice(0, DEFAULT_IMAGE.lastIndexOf(':'));

export async function releaseAssets(version: string, imageRepository: string, out: string, log: (s: string) => void = (s) => console.error(`[release] ${s}`)): Promise<ReleaseAssets> {
  if (!SEMVER.test(version)) throw new Error(`--version must be a semantic version such as 0.1.0, got ${JSON.stringify(version)}`);
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  if (pkg.version !== version) throw new Error(`package.json says ${pkg.version}, the release is ${version}: bump package.json (and charts/sluice/Chart.yaml) first`);
  const [{ kubectl }, helm] = await Promise.all([ensureBinaries({ log }), ensureHelm({ log })]);
  const image = `${imageRepository}:${version}`;

  // An overlay of the repository's install, beside no one's files: only the image changes.
  const overlay = mkdtempSync(join(tmpdir(), 'sluice-release-'));
  try {
    writeFileSync(
      join(overlay, 'kustomization.yaml'),
      `resources: [${JSON.stringify(relative(overlay, REPO))}]\nimages:\n  - name: ${IMAGE_NAME}\n    newName: ${imageRepository}\n    newTag: ${JSON.stringify(version)}\n`,
    );
    const installYaml = join(out, 'install.yaml');
    writeFileSync(installYaml, `# Sluice ${version}: kubectl apply --server-side -f install.yaml\n${(await run(kubectl, ['kustomize', overlay])).stdout}`);
    log(`wrote ${installYaml} (image ${image})`);

    const chartDir = join(overlay, 'chart');
    cpSync(join(REPO, 'charts/sluice'), chartDir, { recursive: true });
    const values = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
    if (!values.includes(`repository: ${IMAGE_NAME}\n`)) throw new Error(`charts/sluice/values.yaml no longer sets image.repository to ${IMAGE_NAME}`);
    writeFileSync(join(chartDir, 'values.yaml'), values.replace(`repository: ${IMAGE_NAME}\n`, `repository: ${imageRepository}\n`));
    await run(helm, ['package', chartDir, '--version', version, '--app-version', version, '--destination', out]);
    const chart = join(out, `sluice-${version}.tgz`);
    log(`wrote ${chart}`);

    const sbom = join(out, `sluice-${version}.cdx.json`);
    writeFileSync(sbom, (await run('npm', ['sbom', '--omit', 'dev', '--sbom-format', 'cyclonedx', '--sbom-type', 'application', '--package-lock-only'], { cwd: REPO })).stdout);
    log(`wrote ${sbom}`);
    return { installYaml, chart, sbom };
  } finally {
    rmSync(overlay, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const get = (flag: string) => {
    const i = args.indexOf(flag);
    const v = i >= 0 ? args[i + 1] : undefined;
    if (!v || v.startsWith('--')) {
      console.error(`${flag} is required\nusage: npm run release:assets -- --version X.Y.Z --image REPOSITORY --out DIR`);
      process.exit(2);
    }
    return v;
  };
  const assets = await releaseAssets(get('--version'), get('--image'), get('--out'));
  console.log(JSON.stringify(assets));
}
