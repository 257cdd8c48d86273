// The operator's configuration: flags (--name=value) win over environment variables, and every
// value is parsed by the data plane's helpers, so a bad one fails at start naming the flag or
// variable it came from.
import { bool, ConfigError, int, optionalStr, str, url, type Env } from '../shared/config/env.ts';

export interface ControllerConfig {
  /** A kubeconfig file; in-cluster configuration when left out. */
  kubeconfig: string | undefined;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  /** This replica's name in the Lease (the pod name); generated when left out. */
  identity: string | undefined;
  image: string | undefined;
  /** Watch these namespaces only (namespaced mode); all namespaces when left out. */
  namespaces: string[] | undefined;
  httpPort: number;
  resyncSeconds: number;
  /**
   * Where the operator reaches a cluster's API, instead of its in-cluster Service: a URL that
   * may contain {namespace} and {name}. For local runs and tests only.
   */
  clusterApiUrl: string | undefined;
}

/** flag name → environment variable. */
const SOURCES = {
  kubeconfig: 'KUBECONFIG',
  'leader-elect': 'SLUICE_LEADER_ELECT',
  'leader-election-namespace': 'POD_NAMESPACE',
  'pod-name': 'POD_NAME',
  image: 'SLUICE_IMAGE',
  namespace: 'SLUICE_WATCH_NAMESPACE',
  'watch-namespaces': 'SLUICE_WATCH_NAMESPACES',
  'http-port': 'SLUICE_HTTP_PORT',
  'resync-seconds': 'SLUICE_RESYNC_SECONDS',
  'cluster-api-url': 'SLUICE_CLUSTER_API_URL',
} as const;
type Flag = keyof typeof SOURCES;

function parseFlags(argv: string[]): Env {
  const flags: Env = {};
  for (const arg of argv) {
    const m = /^--([a-z-]+)=(.*)$/s.exec(arg);
    if (!m || !Object.hasOwn(SOURCES, m[1]!)) {
      throw new ConfigError(`unknown argument ${JSON.stringify(arg)}; flags are ${Object.keys(SOURCES).map((f) => `--${f}=`).join(', ')}`);
    }
    flags[`--${m[1]}`] = m[2];
  }
  return flags;
}

export function loadControllerConfig(argv: string[] = [], env: Env = process.env): ControllerConfig {
  const flags = parseFlags(argv);
  /** The flag if given, else its variable: [values, the name an error will quote]. */
  const from = (flag: Flag): [Env, string] => (flags[`--${flag}`] !== undefined ? [flags, `--${flag}`] : [env, SOURCES[flag]]);
  return {
    kubeconfig: optionalStr(...from('kubeconfig')),
    leaderElect: bool(...from('leader-elect'), true),
    leaderElectionNamespace: str(...from('leader-election-namespace'), 'sluice-system'),
    identity: optionalStr(...from('pod-name')),
    image: optionalStr(...from('image')),
    namespaces: watchNamespaces(from('namespace'), from('watch-namespaces')),
    httpPort: int(...from('http-port'), 8081, 0, 65535),
    resyncSeconds: int(...from('resync-seconds'), 600, 1, 86400),
    clusterApiUrl: urlTemplate(...from('cluster-api-url')),
  };
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** --watch-namespaces (comma-separated), or --namespace for one; not both. */
function watchNamespaces(one: [Env, string], many: [Env, string]): string[] | undefined {
  const single = optionalStr(...one);
  const list = optionalStr(...many);
  if (single !== undefined && list !== undefined) throw new ConfigError(`set ${one[1]} or ${many[1]}, not both`);
  const names = list !== undefined ? list.split(',').map((s) => s.trim()) : single !== undefined ? [single] : undefined;
  if (names === undefined) return undefined;
  const bad = names.find((n) => !NAMESPACE.test(n) || n.length > 63);
  if (bad !== undefined) throw new ConfigError(`${list !== undefined ? many[1] : one[1]} must name namespaces, comma-separated; ${JSON.stringify(bad)} is not a namespace name`);
  return [...new Set(names)];
}

/** An http(s) URL once {namespace} and {name} are filled in. */
function urlTemplate(values: Env, key: string): string | undefined {
  const raw = optionalStr(values, key);
  if (raw === undefined) return undefined;
  url({ [key]: fillTemplate(raw, { namespace: 'namespace', name: 'name' }) }, key, ['http:', 'https:']);
  return raw;
}

export const fillTemplate = (template: string, ref: { namespace: string; name: string }) =>
  template.replaceAll('{namespace}', ref.namespace).replaceAll('{name}', ref.name);
