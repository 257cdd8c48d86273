// The resource a command names, as kubectl writes it: ij/NAME, ingestionjob/NAME, ic/NAME. Pure.
export type Target = { kind: 'job' | 'cluster'; name: string };

const KINDS: Record<string, Target['kind']> = {
  ij: 'job',
  ingestionjob: 'job',
  ingestionjobs: 'job',
  'ingestionjob.sluice.dev': 'job',
  ic: 'cluster',
  ingestioncluster: 'cluster',
  ingestionclusters: 'cluster',
  'ingestioncluster.sluice.dev': 'cluster',
};

/** The target `arg` names, or an error saying what is expected; `only` narrows the kinds accepted. */
export function parseTarget(arg: string, only?: Target['kind']): Target {
  const [kind, name, ...rest] = arg.split('/');
  const k = kind === undefined ? undefined : KINDS[kind.toLowerCase()];
  if (!k || !name || rest.length) throw new UsageError(`expected ${only === 'job' ? 'ij/NAME' : only === 'cluster' ? 'ic/NAME' : 'ij/NAME or ic/NAME'}, got "${arg}"`);
  if (only && k !== only) throw new UsageError(`expected ${only === 'job' ? 'an IngestionJob (ij/NAME)' : 'an IngestionCluster (ic/NAME)'}, got "${arg}"`);
  return { kind: k, name };
}

/** A command line that cannot be run as written: exit 2 with the message. */
export class UsageError extends Error {
  override name = 'UsageError';
}
