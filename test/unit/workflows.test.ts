// .github/workflows, checked by actionlint (built from the Go module proxy on first use), and the
// release workflow's shape: tests before anything is published, and only commands that exist.
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureActionlint } from '@sluice/devenv/actionlint';
import { run } from '@sluice/devenv/run';

const repo = new URL('../../', import.meta.url).pathname;
const dir = `${repo}.github/workflows`;
let actionlint = '';

beforeAll(async () => {
  actionlint = await ensureActionlint();
}, 10 * 60_000);

interface Workflow {
  on: { push?: { tags?: string[] } };
  jobs: Record<string, { needs?: string; permissions?: Record<string, string>; steps: { run?: string; uses?: string }[] }>;
}
const release = () => parse(readFileSync(`${dir}/release.yml`, 'utf8')) as Workflow;
const scripts = (job: string) => release().jobs[job]!.steps.map((s) => s.run ?? '').join('\n');

describe('.github/workflows', () => {
  it('passes actionlint', async () => {
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${dir}/${f}`);
    expect(files.length).toBeGreaterThan(0);
    const r = await run(actionlint, ['-color=false', '-oneline', ...files]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    expect(r.stdout).toBe('');
  });

  it('releases a version tag only after the whole test suite passed', () => {
    const w = release();
    expect(w.on.push?.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+*']);
    expect(scripts('test')).toContain('bash .ci/run');
    expect(w.jobs.publish!.needs).toBe('test');
    expect(w.jobs.test!.permissions).toBeUndefined(); // the workflow's read-only default
    expect(w.jobs.publish!.permissions).toEqual({ contents: 'write', packages: 'write' });
  });

  it('publishes the image, the chart and the release assets with commands this repository has', () => {
    const publish = scripts('publish');
    for (const step of ['npm run image -- --push', 'npm run release:assets --', 'push "release/sluice-', 'gh release create']) expect(publish).toContain(step);
    for (const asset of ['release/install.yaml', 'release/sluice-${VERSION#v}.tgz', 'release/sluice-${VERSION#v}.cdx.json']) expect(publish).toContain(asset);
    const pkg = JSON.parse(readFileSync(`${repo}package.json`, 'utf8')) as { scripts: Record<string, string> };
    const used = [...publish.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(used.filter((s) => !(s in pkg.scripts))).toEqual([]);
  });
});
