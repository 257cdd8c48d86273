// client-node's index loads the typed client of every API group (CoreV1Api, AppsV1Api, … with
// their request factories, the bulk of the operator's memory at rest) even for a process that
// never constructs one, and its KubeConfig imports that index. The operator makes its requests
// without them (kube-requests.ts), so in its process these classes are loaded on first
// construction instead: the index exports, under the same names, classes whose constructor
// loads the real ones and returns a real instance. Nothing else of client-node changes.
import { registerHooks } from 'node:module';

const GEN_INDEX = '/@kubernetes/client-node/dist/gen/index.js';
const TYPED_APIS = /^export \{([^}]*)\} from '\.\/types\/ObjectParamAPI\.js';$/m;

let installed = false;

/** Before client-node is first imported: from then on its typed API classes load lazily. */
export function installLazyApiClasses(): void {
  if (installed) return;
  installed = true;
  registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      if (!url.endsWith(GEN_INDEX) || loaded.source === undefined || loaded.source === null) return loaded;
      const source = typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source as Uint8Array).toString('utf8');
      return { ...loaded, source: lazyApiClasses(source) };
    },
  });
}

/**
 * gen/index.js with its re-export of the typed API classes replaced by lazy stand-ins of the
 * same names; unchanged if that re-export is not found (a client-node whose layout changed keeps
 * working, only without the saving; lazy-api-classes.test.ts notices).
 */
export function lazyApiClasses(source: string): string {
  const m = TYPED_APIS.exec(source);
  if (!m) return source;
  const names = m[1]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [from, as] = s.split(/\s+as\s+/);
      return { from: from!, as: as ?? from! };
    });
  const lazy = [
    "import { createRequire as sluiceCreateRequire } from 'node:module';",
    'let sluiceTypedApis;',
    'const sluiceLazyApi = (name) => class {',
    '  constructor(...args) {',
    "    sluiceTypedApis ??= sluiceCreateRequire(import.meta.url)('./types/ObjectParamAPI.js');",
    '    return new sluiceTypedApis[name](...args);',
    '  }',
    '};',
    ...names.map((n) => `export const ${n.as} = sluiceLazyApi(${JSON.stringify(n.from)});`),
  ].join('\n');
  return source.replace(m[0], () => lazy);
}
