// Child processes in their own process groups, so that stopping one stops everything it spawned,
// and a synchronous exit hook that kills whatever is left if our own process dies first.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';

const live = new Set<ChildProcess>();
let hooked = false;

function killAllSync(): void {
  for (const child of live) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function spawnGroup(cmd: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  if (!hooked) {
    hooked = true;
    process.once('exit', killAllSync);
  }
  const log = openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log], env });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader has exited. */
export async function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!child.pid || exited(child)) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      // group already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
  signal('SIGKILL'); // stragglers in the group
}

/** The last lines of a child's log file, to say why it failed; empty if there is none. */
export function logTail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
