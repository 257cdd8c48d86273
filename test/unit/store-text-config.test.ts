// stores.chroma.storeText from the CRD to the worker: off unless set, written by the operator as
// SLUICE_CHROMA_STORE_TEXT and read back as the same value; a bad value names the variable.
import { describe, expect, it } from 'vitest';
import { componentConfig } from '../../src/controller/builders/config.ts';
import { defaultedCluster } from '../../src/crd/defaults.ts';
import { loadWorkerConfig } from '../../src/shared/config/data-plane-config.ts';

const base = { SLUICE_POSTGRES_URL: 'postgres://u:p@pg:5432/db' };
const spec = (storeText?: boolean) => ({
  stores: { postgres: { secretRef: { name: 'pg' } }, chroma: { url: 'http://chroma:8000', ...(storeText === undefined ? {} : { storeText }) } },
});

describe('stores.chroma.storeText', () => {
  it.each([
    [undefined, 'false', false],
    [true, 'true', true],
    [false, 'false', false],
  ] as const)('set to %s: the worker gets %s and reads %s', (storeText, written, read) => {
    const env = componentConfig(defaultedCluster('docs', 'team-a', spec(storeText) as never)).worker;
    expect(env.SLUICE_CHROMA_STORE_TEXT).toBe(written);
    expect(loadWorkerConfig({ ...base, SLUICE_CHROMA_URL: 'http://chroma:8000', ...env }).chroma.storeText).toBe(read);
  });

  it('refuses a value that is not true or false, naming the variable', () => {
    expect(() => loadWorkerConfig({ ...base, SLUICE_CHROMA_URL: 'http://chroma:8000', SLUICE_CHROMA_STORE_TEXT: 'yes' })).toThrow(/SLUICE_CHROMA_STORE_TEXT must be true or false/);
  });
});
