#!/usr/bin/env node
// kubectl sluice: Sluice's kubectl plugin. kubectl runs `kubectl-sluice` from PATH for
// `kubectl sluice …`; `npm i -g .` (or `npm link`) in a checkout puts it there.
import { parseArgs } from 'node:util';
import { failureLines } from './commands/failures.ts';
import { retry } from './commands/retry.ts';
import { status } from './commands/status.ts';
import { SluiceClient } from './sluice-client.ts';
import { parseTarget, UsageError } from './target.ts';

const USAGE = `kubectl sluice: Sluice's IngestionJobs and IngestionClusters from the command line

  kubectl sluice status [ij/NAME | ic/NAME] [-n NS | -A] [--watch] [-o json]
      jobs with their progress, rate and ETA, and the clusters' workers and queue
  kubectl sluice failures ij/NAME [-n NS] [-o json]
      the job's last failed documents, with their error types and messages
  kubectl sluice retry ij/NAME [-n NS]
      re-drive the job's failed documents (sets a new spec.retryNonce)

Reads the kubeconfig as kubectl does (KUBECONFIG, ~/.kube/config).
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', short: 'n' },
      'all-namespaces': { type: 'boolean', short: 'A', default: false },
      watch: { type: 'boolean', short: 'w', default: false },
      output: { type: 'string', short: 'o' },
      interval: { type: 'string', default: '2' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, arg, ...extra] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  if (values.output !== undefined && values.output !== 'json') throw new UsageError(`-o supports json only, got "${values.output}"`);
  const json = values.output === 'json';
  const client = SluiceClient.fromDefault(values.namespace);
  const out = { write: (s: string) => void process.stdout.write(s), isTTY: Boolean(process.stdout.isTTY) };
  switch (command) {
    case 'status': {
      const intervalMs = Number(values.interval) * 1000;
      if (!(intervalMs >= 100)) throw new UsageError(`--interval is seconds, at least 0.1, got "${values.interval}"`);
      await status(client, { ...(arg ? { target: parseTarget(arg) } : {}), allNamespaces: values['all-namespaces'], watch: values.watch, json, intervalMs }, out);
      return 0;
    }
    case 'failures':
      out.write(failureLines(await client.job(parseTarget(arg ?? '', 'job').name), json));
      return 0;
    case 'retry':
      out.write(await retry(client, parseTarget(arg ?? '', 'job').name));
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** The apiserver's own message of a failed request (its Status), as kubectl prints it. */
function apiMessage(err: unknown): string | undefined {
  const body = (err as { body?: unknown }).body;
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown } | undefined;
    return typeof status?.message === 'string' ? status.message : undefined;
  } catch {
    return undefined;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = (err as { code?: unknown }).code;
    const usage = err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`error: ${apiMessage(err) ?? (err as Error).message}\n${usage ? `\n${USAGE}` : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
