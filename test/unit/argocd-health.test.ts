// The Argo CD health checks, as argocd-cm holds them, run by gopher-lua (the interpreter Argo CD
// links, built into the cache on first use) with the libraries Argo CD gives argocd-cm scripts.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureGlua } from '../../src/dev/glua.ts';
import { health as argoHealth, runArgoLua } from '../support/argocd.ts';

let glua = '';
beforeAll(async () => {
  glua = await ensureGlua();
}, 10 * 60_000);

const health = (kind: string, o: unknown) => argoHealth(glua, kind, o);

const cond = (type: string, status: string, message = `${type} is ${status}`) => ({ type, status, reason: 'R', message, lastTransitionTime: '2026-01-01T00:00:00Z' });
const obj = (generation: number, status?: Record<string, unknown>) => ({ metadata: { name: 'x', generation }, ...(status ? { status } : {}) });

describe('Argo CD health of IngestionCluster', () => {
  it.each([
    ['no status yet', obj(1), 'Progressing'],
    ['status of an older generation', obj(2, { observedGeneration: 1, conditions: [cond('Ready', 'True')] }), 'Progressing'],
    ['ready', obj(1, { observedGeneration: 1, conditions: [cond('Ready', 'True'), cond('Degraded', 'False')] }), 'Healthy'],
    ['not ready yet', obj(1, { observedGeneration: 1, conditions: [cond('Ready', 'False', '1/2 ready'), cond('Degraded', 'False')] }), 'Progressing'],
    ['degraded', obj(1, { observedGeneration: 1, conditions: [cond('Ready', 'False'), cond('Degraded', 'True', 'Secret "pg" not found')] }), 'Degraded'],
    ['suspended', obj(1, { observedGeneration: 1, conditions: [cond('Ready', 'False'), cond('Suspended', 'True')] }), 'Suspended'],
  ])('%s', async (_name, o, want) => {
    expect((await health('IngestionCluster', o)).status).toBe(want);
  });

  it('passes the condition message through', async () => {
    const o = obj(1, { observedGeneration: 1, conditions: [cond('Degraded', 'True', 'Secret "pg" referenced by spec.stores.postgres.secretRef not found')] });
    expect((await health('IngestionCluster', o)).message).toBe('Secret "pg" referenced by spec.stores.postgres.secretRef not found');
  });
});

describe('Argo CD health of IngestionJob', () => {
  it.each([
    ['no status yet', obj(1), 'Progressing', ''],
    ['running', obj(1, { observedGeneration: 1, progress: '812/1000', conditions: [] }), 'Progressing', 'Running (812/1000)'],
    ['complete', obj(1, { observedGeneration: 1, conditions: [cond('Complete', 'True', '1000 documents')] }), 'Healthy', '1000 documents'],
    ['failed', obj(1, { observedGeneration: 1, conditions: [cond('Failed', 'True', 'too many failures')] }), 'Degraded', 'too many failures'],
    ['suspended', obj(1, { observedGeneration: 1, progress: '3/10', conditions: [cond('Suspended', 'True')] }), 'Suspended', 'Suspended (3/10)'],
  ])('%s', async (_name, o, want, message) => {
    const h = await health('IngestionJob', o);
    expect(h.status).toBe(want);
    if (message) expect(h.message).toBe(message);
  });
});

describe('the sandbox Argo CD gives argocd-cm scripts', () => {
  it('has no string library and no string methods, so the checks must not need them', async () => {
    await expect(runArgoLua(glua, 'x.lua', 'return { status = string.upper("x") }', {})).rejects.toThrow(/non-table object\(nil\) with key 'upper'/);
    await expect(runArgoLua(glua, 'x.lua', 'return { status = obj.s:upper() }', { s: 'x' })).rejects.toThrow(/non-table object\(string\) with key 'upper'/);
    await expect(runArgoLua(glua, 'x.lua', 'return { math = math == nil, io = io == nil, t = os.time() > 0, exit = os.exit == nil }', {})).resolves.toEqual({ math: true, io: true, t: true, exit: true });
  });
});
