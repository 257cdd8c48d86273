// The Argo CD health scripts, run by a real Lua 5.1 (Argo CD's gopher-lua speaks 5.1) on fixtures.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const script = (kind: string) => readFileSync(new URL(`../../manifests/argocd/health/${kind}.lua`, import.meta.url), 'utf8');

/** A JSON value as a Lua table constructor. */
function lua(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map(lua).join(', ')}}`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `[${JSON.stringify(k)}] = ${lua(x)}`).join(', ')}}`;
}

function health(kind: string, obj: unknown): { status: string; message: string } {
  const source = `obj = ${lua(obj)}\nlocal hs = (function()\n${script(kind)}\nend)()\nio.write(hs.status, "\\t", hs.message or "")`;
  const out = execFileSync('lua5.1', ['-'], { input: source }).toString();
  const [status, message] = out.split('\t');
  return { status: status!, message: message ?? '' };
}

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
  ])('%s → %s', (_name, o, want) => {
    expect(health('ingestioncluster', o).status).toBe(want);
  });

  it('passes the condition message through', () => {
    const o = obj(1, { observedGeneration: 1, conditions: [cond('Degraded', 'True', 'Secret "pg" referenced by spec.stores.postgres.secretRef not found')] });
    expect(health('ingestioncluster', o).message).toBe('Secret "pg" referenced by spec.stores.postgres.secretRef not found');
  });
});

describe('Argo CD health of IngestionJob', () => {
  it.each([
    ['no status yet', obj(1), 'Progressing', ''],
    ['running', obj(1, { observedGeneration: 1, progress: '812/1000', conditions: [] }), 'Progressing', 'Running (812/1000)'],
    ['complete', obj(1, { observedGeneration: 1, conditions: [cond('Complete', 'True', '1000 documents')] }), 'Healthy', '1000 documents'],
    ['failed', obj(1, { observedGeneration: 1, conditions: [cond('Failed', 'True', 'too many failures')] }), 'Degraded', 'too many failures'],
    ['suspended', obj(1, { observedGeneration: 1, progress: '3/10', conditions: [cond('Suspended', 'True')] }), 'Suspended', 'Suspended (3/10)'],
  ])('%s → %s', (_name, o, want, message) => {
    const h = health('ingestionjob', o);
    expect(h.status).toBe(want);
    if (message) expect(h.message).toBe(message);
  });
});
