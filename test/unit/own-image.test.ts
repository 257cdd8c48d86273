import { describe, expect, it } from 'vitest';
import { imageOf } from '../../src/controller/runtime/own-image.ts';

const pod = (...containers: [string, string][]) => ({ spec: { containers: containers.map(([name, image]) => ({ name, image })) } });

describe('imageOf: the image of the operator in its own pod', () => {
  it.each([
    ['the operator container among sidecars', pod(['istio-proxy', 'proxy:1'], ['operator', 'registry.test/sluice:2.0']), 'registry.test/sluice:2.0'],
    ['the only container, whatever its name', pod(['manager', 'registry.test/sluice:2.1']), 'registry.test/sluice:2.1'],
    ['several containers, none named operator', pod(['a', 'x:1'], ['b', 'y:1']), undefined],
    ['no spec', {}, undefined],
  ])('%s', (_name, p, want) => {
    expect(imageOf(p)).toBe(want);
  });
});
