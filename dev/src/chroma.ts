// A real Chroma server (the `chroma run` CLI of the chromadb npm package) on a free loopback
// port, with its data in a temporary directory: for tests, benchmarks and `npm start`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, GiveUp, sleep, waitFor } from './net.ts';

export async function startChroma(): Promise<{ url: string; stop: () => Promise<void>; proc: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-chroma-'));
  const port = await freePort();
  const cli = join(import.meta.dirname, '../../node_modules/chromadb/dist/cli.mjs');
  const proc = spawn(process.execPath, [cli, 'run', '--path', join(dir, 'data'), '--port', String(port), '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // If this process ends without running the teardown, do not leave the server behind.
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  let log = '';
  proc.stdout?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  proc.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      'chroma',
      async () => {
        if (proc.exitCode !== null) throw new GiveUp(`chroma exited (${proc.exitCode})`);
        return (await fetch(`${url}/api/v2/heartbeat`)).ok;
      },
      60_000,
      200,
    );
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}: ${log}`, { cause: err });
  }
  return {
    url,
    proc,
    stop: async () => {
      process.off('exit', killOnExit);
      proc.kill('SIGTERM');
      await sleep(200);
      if (proc.exitCode === null) proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
