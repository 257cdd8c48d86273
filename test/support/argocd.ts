// Sluice's Argo CD customizations as argocd-cm holds them (the keys manifests/argocd/ merges in),
// run in glua the way Argo CD's util/lua/lua.go runs them: health (ExecuteHealthLua), action
// discovery (ExecuteResourceActionDiscovery) and actions (ExecuteResourceAction).
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const argocdDir = new URL('../../manifests/argocd/', import.meta.url).pathname;
const sandbox = new URL('./argocd-sandbox.lua', import.meta.url).pathname;

export interface Health {
  status: string;
  message: string;
}

/** An action as Argo CD lists it (appv1.ResourceAction). */
export interface ResourceAction {
  name: string;
  disabled: boolean;
  iconClass?: string;
  displayName?: string;
}

interface ResourceActions {
  'discovery.lua': string;
  definitions: { name: string; 'action.lua': string }[];
  mergeBuiltinActions?: boolean;
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

function customization(type: 'health' | 'actions', kind: string): string {
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

function actionsOf(kind: string): ResourceActions {
  return parse(customization('actions', kind)) as ResourceActions;
}

/** The actions Argo CD offers on obj, sorted by name. */
export async function discoverActions(glua: string, kind: string, obj: unknown): Promise<ResourceAction[]> {
  const out = await runArgoLua(glua, 'discovery.lua', actionsOf(kind)['discovery.lua'], obj);
  if (Array.isArray(out) && out.length === 0) return [];
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw new Error('expect table output from Lua script');
  return Object.entries(out as Record<string, unknown>)
    .map(([name, v]): ResourceAction => {
      // {} encodes as [], which Argo CD reads as an enabled action with nothing else.
      if (Array.isArray(v)) return { name, disabled: false };
      const a = v as Record<string, unknown>;
      return {
        name,
        disabled: a.disabled === true,
        ...(typeof a.iconClass === 'string' ? { iconClass: a.iconClass } : {}),
        ...(typeof a.displayName === 'string' ? { displayName: a.displayName } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Argo CD's cleanReturnedObj: an empty table that was an object in the input stays an object. */
function clean(next: unknown, prev: unknown): unknown {
  if (Array.isArray(next) && Array.isArray(prev)) return next.map((x, i) => (i < prev.length ? clean(x, prev[i]) : x));
  if (Array.isArray(next) && next.length === 0 && prev !== null && typeof prev === 'object') return {};
  if (next !== null && typeof next === 'object' && !Array.isArray(next) && prev !== null && typeof prev === 'object' && !Array.isArray(prev)) {
    const out: Record<string, unknown> = { ...(next as Record<string, unknown>) };
    for (const k of Object.keys(out)) if (k in prev) out[k] = clean(out[k], (prev as Record<string, unknown>)[k]);
    return out;
  }
  return next;
}

/** Runs the action `name` on obj and returns the object Argo CD would patch the resource to. */
export async function runAction(glua: string, kind: string, name: string, obj: unknown): Promise<Record<string, unknown>> {
  const def = actionsOf(kind).definitions.find((d) => d.name === name);
  if (!def) throw new Error(`no definition of action ${name}`);
  const out = await runArgoLua(glua, `${name}/action.lua`, def['action.lua'], obj);
  if (out === null || typeof out !== 'object') throw new Error('expect table output from Lua script');
  if (Array.isArray(out)) throw new Error(`${name} returned a list of impacted resources; expected the modified object`);
  return clean(out, obj) as Record<string, unknown>;
}

/**
 * The argocd-cm value `resource.customizations.actions.sluice.dev_<Kind>` built from
 * manifests/argocd/actions/<kind>/ (discovery.lua and <action>/action.lua), the layout of Argo
 * CD's own resource_customizations/.
 */
export function actionsValue(kind: string): string {
  const dir = join(argocdDir, 'actions', kind);
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const value: ResourceActions = {
    'discovery.lua': readFileSync(join(dir, 'discovery.lua'), 'utf8'),
    definitions: names.map((name) => ({ name, 'action.lua': readFileSync(join(dir, name, 'action.lua'), 'utf8') })),
  };
  return (
    `# Generated from actions/${kind}/ by test/unit/argocd-actions.test.ts: edit the Lua files there, then\n` +
    `# run \`npx vitest run -u test/unit/argocd-actions.test.ts\`.\n` +
    stringify(value, { lineWidth: 0 })
  );
}
