// The operator as the benchmarks run it: `src/controller/main.ts` as a child process, as in its
// pod, with its RSS read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort, waitFor } from '../src/dev/net.ts';

export interface BenchOperator {
  child: ChildProcess;
  /** Its /healthz /readyz /metrics port. */
  port: number;
  /** The last 4,000 characters it wrote to stderr. */
  stderr(): string;
}

export const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Starts the operator with these flags (plus --http-port) and waits until /readyz answers. */
export async function spawnOperator(flags: string[], env: Record<string, string> = {}): Promise<BenchOperator> {
  const port = await freePort();
  const child = spawn(process.execPath, ['src/controller/main.ts', ...flags, `--http-port=${port}`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  await waitFor('the operator to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 30_000);
  return { child, port, stderr: () => stderr };
}
