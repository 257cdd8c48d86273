// manifests/dev and its examples overlay name images that exist only once dev/src/images has
// built and imported them (pull policy Never: there is no registry); a renamed image must fail
// here, not as ErrImageNeverPull in a pod.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { distInputs, REPO } from '@sluice/devenv/images/app-build';
import { chromaImageName } from '@sluice/devenv/images/chroma-image';
import { POSTGRES_IMAGE } from '@sluice/devenv/images/postgres-image';
import { REDIS_IMAGE } from '@sluice/devenv/images/redis-image';

type Doc = { kind?: string; spec?: { template?: { spec?: { containers?: { image: string; imagePullPolicy?: string }[] } } } };
const docs = (file: string) => parseAllDocuments(readFileSync(new URL(`../../manifests/dev/${file}`, import.meta.url), 'utf8')).map((d) => d.toJS() as Doc);
const containers = (file: string) => docs(file).flatMap((d) => d.spec?.template?.spec?.containers ?? []);

describe('the dev manifests name the images built here', () => {
  it('PostgreSQL and Chroma, never pulled', () => {
    expect(containers('postgres.yaml')).toEqual([expect.objectContaining({ image: POSTGRES_IMAGE, imagePullPolicy: 'Never' })]);
    expect(containers('chroma.yaml')).toEqual([expect.objectContaining({ image: chromaImageName(), imagePullPolicy: 'Never' })]);
  });

  it('Managed Redis in the examples overlay', () => {
    const [kustomization] = docs('examples/kustomization.yaml') as { patches?: { patch: string }[] }[];
    const patch = kustomization?.patches?.[0]?.patch ?? '';
    expect(patch).toContain('path: /spec/redis/image');
    expect(patch).toContain(`value: ${REDIS_IMAGE}`);
  });
});

describe('the Sluice image', () => {
  it('is compiled from, and keyed by, product code only', () => {
    const inputs = distInputs().map((f) => f.slice(REPO.length + 1));
    expect(inputs).toContain('src/main.ts');
    expect(inputs.filter((f) => !f.startsWith('src/') && !['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].includes(f))).toEqual([]);
    expect(readFileSync(new URL('../../tsconfig.build.json', import.meta.url), 'utf8')).toMatch(/"include": \["src"\]/);
  });
});
