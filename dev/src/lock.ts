// A directory lock that names its owner (PID and start time), so that a lock left by a process
// that died (Ctrl-C in a cold build, kill -9) is taken over at once instead of waited out.
// A lock directory without an owner file (left by an older version) is waited for, never taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sleep } from './net.ts';

function startTime(pid: number): string | undefined {
  try {
    // Field 22 of /proc/PID/stat, counted after the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function owner(lock: string): { pid: number; start: string } | undefined {
  try {
    const [pid, start] = readFileSync(join(lock, 'owner'), 'utf8').trim().split(' ');
    return { pid: Number(pid), start: start ?? '' };
  } catch {
    return undefined;
  }
}

const alive = (owner: { pid: number; start: string }) => startTime(owner.pid) === owner.start;

/** Takes `lock` (a directory), waiting while a live process holds it; returns its release. */
export async function acquireLock(lock: string, what: string, log: (s: string) => void, timeoutMs = 60 * 60_000): Promise<() => void> {
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), `${process.pid} ${startTime(process.pid)}\n`);
      return () => {
        if (owner(lock)?.pid === process.pid) rmSync(lock, { recursive: true, force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const o = owner(lock);
    if (o && !alive(o)) {
      log(`taking over ${lock} from process ${o.pid}, which is gone`);
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!said) log(`waiting for ${what} (${lock}${o ? `, held by process ${o.pid}` : ''})`);
    said = true;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}; remove it if nothing holds it`);
    // An owner file may be a moment behind its directory; the next look sees it.
    await sleep(1000);
  }
}

export async function withOwnedLock<T>(lock: string, what: string, log: (s: string) => void, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(lock, what, log);
  try {
    return await fn();
  } finally {
    release();
  }
}
