import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crdFiles } from '../../src/crd/crd-files.ts';

const repo = new URL('../../', import.meta.url).pathname;

describe('crds/ and the chart\'s crds/', () => {
  it.each(crdFiles().map((f) => [relative(repo, f.path), f] as const))('%s matches the TypeScript definitions (run `npm run gen:crds`)', (_name, file) => {
    expect(readFileSync(file.path, 'utf8')).toBe(file.content);
  });
});
