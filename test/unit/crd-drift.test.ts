import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crdFiles } from '../../src/crd/crd-files.ts';

describe('crds/', () => {
  it.each(crdFiles().map((f) => [f.path.split('/').pop()!, f] as const))('%s matches the TypeScript definitions (run `npm run gen:crds`)', (_name, file) => {
    expect(readFileSync(file.path, 'utf8')).toBe(file.content);
  });
});
