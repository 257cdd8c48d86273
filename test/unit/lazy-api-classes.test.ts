// In the operator's process client-node's typed API classes load on first construction only
// (src/controller/runtime/lazy-api-classes.ts): the index still exports every name, a constructed client
// is the real one, and the operator's own modules never construct one.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { lazyApiClasses } from '../../src/controller/runtime/lazy-api-classes.ts';

const genIndex = createRequire(import.meta.url).resolve('@kubernetes/client-node').replace(/index\.js$/, 'gen/index.js');

/** Runs an ES module in a fresh Node (the one running the tests) from the repository root; its stdout. */
function run(script: string): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

const INSTALL = "(await import('./src/controller/runtime/lazy-api-classes.ts')).installLazyApiClasses();";
const KUBECONFIG = `const kc = new (await import('@kubernetes/client-node')).KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });`;
/** Records the URL of every module loaded after it. */
const RECORD = "import { registerHooks } from 'node:module'; const loaded = []; registerHooks({ load(url, c, next) { loaded.push(url); return next(url, c); } });";

// Each case starts Node processes that import client-node: seconds each on a busy machine.
describe('lazy typed API classes', { timeout: 60_000 }, () => {
  it("replace client-node's re-export of its typed clients, name for name", () => {
    const source = readFileSync(genIndex, 'utf8');
    const lazy = lazyApiClasses(source);
    expect(lazy).not.toBe(source);
    expect(lazy).not.toContain("from './types/ObjectParamAPI.js'");
    expect(lazy).toContain('export const CoreV1Api = sluiceLazyApi("ObjectCoreV1Api");');
    expect(lazyApiClasses('export { A } from "./x.js";')).toBe('export { A } from "./x.js";');
  });

  it('export the same names as the real index, and construct the real clients', () => {
    const script = (install: string) =>
      `${install} ${KUBECONFIG} const k8s = await import('@kubernetes/client-node');
       const core = kc.makeApiClient(k8s.CoreV1Api);
       console.log(JSON.stringify({ names: Object.keys(k8s).sort(), client: core.constructor.name, read: typeof core.readNamespacedSecret }));`;
    const lazy = JSON.parse(run(script(INSTALL))) as { names: string[]; client: string; read: string };
    const real = JSON.parse(run(script(''))) as typeof lazy;
    expect(lazy.names).toEqual(real.names);
    expect(lazy).toEqual({ ...real, client: 'ObjectCoreV1Api', read: 'function' });
  });

  it('are never loaded by the operator, its controllers built', () => {
    const loaded = JSON.parse(
      run(
        `${INSTALL} ${RECORD} ${KUBECONFIG}
         const { createOperator } = await import('./src/controller/operator.ts');
         createOperator({ kc, log: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } }, leaderElection: { namespace: 'x' } });
         console.log(JSON.stringify(loaded));`,
      ),
    ) as string[];
    expect(loaded.some((u) => u.includes('/@kubernetes/client-node/dist/gen/models/'))).toBe(true);
    expect(loaded.filter((u) => /\/gen\/(types|apis)\/(?!baseapi|exception)/.test(u))).toEqual([]);
  });
});
