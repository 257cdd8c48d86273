// Sluice's Argo CD customizations as argocd-cm holds them (the keys manifests/argocd/ merges in),
// run in glua the way Argo CD's util/lua/lua.go runs them (ExecuteHealthLua).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const argocdDir = new URL('../../manifests/argocd/', import.meta.url).pathname;
const sandbox = new URL('./argocd-sandbox.lua', import.meta.url).pathname;

export interface Health {
  status: string;
  message: string;
}

/** The argocd-cm data the manifests/argocd component merges in: key → file content. */
export function argocdCmData(): Record<string, string> {
  const k = parse(readFileSync(join(argocdDir, 'kustomization.yaml'), 'utf8')) as {
    configMapGenerator: { name: string; behavior?: string; files: string[] }[];
  };
  const cm = k.configMapGenerator.find((g) => g.name === 'argocd-cm');
  if (!cm) throw new Error('manifests/argocd/kustomization.yaml generates no argocd-cm');
  return Object.fromEntries(
    cm.files.map((f) => {
      const [key, path] = f.split('=') as [string, string];
      return [key, readFileSync(join(argocdDir, path), 'utf8')];
    }),
  );
}

function customization(type: 'health', kind: string): string {
  const key = `resource.customizations.${type}.sluice.dev_${kind}`;
  const v = argocdCmData()[key];
  if (v === undefined) throw new Error(`argocd-cm has no ${key}`);
  return v;
}

/** A Lua string literal holding exactly the UTF-8 bytes of s. */
function luaString(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${String(b).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** A JSON value as a Lua table constructor, the tables Argo CD's decodeValue builds. */
export function luaValue(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return luaString(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a JSON number: ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map(luaValue).join(', ')}}`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `[${luaString(k)}] = ${luaValue(x)}`).join(', ')}}`;
}

/** Runs a script with `obj` set, as Argo CD does for argocd-cm scripts; its result as JSON. */
export function runArgoLua(glua: string, name: string, script: string, obj: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = execFile(glua, [sandbox, name, script], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${name}: ${stderr.trim() || stdout.trim() || err.message}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin!.end(luaValue(obj));
  });
}

const HEALTH = ['Unknown', 'Progressing', 'Suspended', 'Healthy', 'Degraded', 'Missing'];

/** The health Argo CD shows for obj (of sluice.dev kind `kind`). */
export async function health(glua: string, kind: string, obj: unknown): Promise<Health> {
  const out = await runArgoLua(glua, 'health.lua', customization('health', kind), obj);
  // nil and {} (encoded as []) are an empty health.
  if (out === null || Array.isArray(out)) return { status: '', message: '' };
  if (typeof out !== 'object') throw new Error(`expect table output from Lua script, not ${typeof out}`);
  const h = out as { status?: unknown; message?: unknown };
  if (typeof h.status !== 'string' || !HEALTH.includes(h.status)) return { status: 'Unknown', message: 'Lua returned an invalid health status' };
  return { status: h.status, message: typeof h.message === 'string' ? h.message : '' };
}
