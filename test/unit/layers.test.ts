// The import layers eslint.config.js enforces: crd/ < shared/ < api/, worker/, controller/, and
// no product file imports the local environment. Linted as if the code stood at those paths.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function refusals(filePath: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport const y = x;\n`, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

// The first lint loads the parser and the rules: seconds on a busy machine.
describe('import layers', { timeout: 30_000 }, () => {
  it.each([
    ['src/shared/config/x.ts', '../../worker/fetch/y.ts', /bottom layer/],
    ['src/shared/db/x.ts', '../../api/y.ts', /bottom layer/],
    ['src/crd/x.ts', '../shared/y.ts', /crd\/ is the bottom layer/],
    ['src/crd/x.ts', '../controller/y.ts', /bottom layer/],
    ['src/api/x.ts', '../worker/y.ts', /never the worker or the operator/],
    ['src/worker/x.ts', '../controller/y.ts', /never the API or the operator/],
    ['src/controller/x.ts', '../api/y.ts', /through its HTTP API/],
    ['src/controller/x.ts', '@sluice/devenv/net', /never imports the local environment/],
    ['src/worker/x.ts', '../../dev/src/net.ts', /never imports the local environment/],
    ['src/cli/x.ts', '../controller/y.ts', /kubectl plugin/],
    ['src/cli/commands/x.ts', '../../shared/y.ts', /kubectl plugin/],
  ])('%s may not import %s', async (file, specifier, why) => {
    const messages = await refusals(file, specifier);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(why);
  });

  it.each([
    ['src/api/x.ts', '../shared/y.ts'],
    ['src/shared/x.ts', '../crd/y.ts'],
    ['src/controller/cluster/x.ts', '../../crd/y.ts'],
    ['src/cli/commands/x.ts', '../../crd/y.ts'],
    ['dev/src/x.ts', '../../src/crd/y.ts'],
    ['test/unit/x.ts', '@sluice/devenv/net'],
  ])('%s may import %s', async (file, specifier) => {
    expect(await refusals(file, specifier)).toEqual([]);
  });
});
