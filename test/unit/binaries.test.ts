import { describe, expect, it } from 'vitest';
import { stagingModules, versionLdflags } from '@sluice/devenv/binaries';

describe('stagingModules', () => {
  it('reads the ./staging replacements of k8s.io/kubernetes go.mod', () => {
    const goMod = `module k8s.io/kubernetes

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go
	github.com/foo/bar => github.com/foo/bar v1.0.0
)
`;
    expect(stagingModules(goMod)).toEqual(['k8s.io/api', 'k8s.io/client-go']);
  });
});

describe('versionLdflags', () => {
  it('stamps the release into both version packages', () => {
    const flags = versionLdflags('v1.36.3');
    for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
      expect(flags).toContain(`-X ${pkg}.gitVersion=v1.36.3`);
      expect(flags).toContain(`-X ${pkg}.gitMajor=1`);
      expect(flags).toContain(`-X ${pkg}.gitMinor=36`);
    }
  });
});
