// CPU time of processes from /proc, in seconds: for "per core" figures that count every process
// that did the work (the parser processes and the Chroma server as well as this one).
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

function fields(pid: number | 'self'): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime of a process (field 14, 15 of /proc/PID/stat). */
export function cpuSeconds(pid: number | 'self'): number {
  const f = fields(pid);
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

/** CPU of the children this process has waited for (cutime + cstime), e.g. pdftotext runs. */
export function waitedChildrenCpuSeconds(): number {
  const f = fields('self');
  return (Number(f[13]) + Number(f[14])) / TICKS;
}

/**
 * CPU of a process and every live descendant, with what each has reaped of its own children
 * (cutime + cstime): all the work done under `pid`, e.g. the API, the workers, their parser
 * processes and the Chroma server of a local stack started by this process.
 */
export function treeCpuSeconds(pid: number): number {
  const parentOf = new Map<number, number>();
  const ticksOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const f = fields(Number(name));
      parentOf.set(Number(name), Number(f[1]));
      ticksOf.set(Number(name), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
    } catch {
      // exited while listing
    }
  }
  let ticks = 0;
  for (const [p, t] of ticksOf) {
    for (let q: number | undefined = p; q !== undefined && q > 0; q = parentOf.get(q)) {
      if (q === pid) {
        ticks += t;
        break;
      }
    }
  }
  return ticks / TICKS;
}

/** CPU of every process of a given command name (/proc/PID/comm), e.g. the PostgreSQL server's. */
export function commandCpuSeconds(comm: string): number {
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() !== comm) continue;
      const f = fields(Number(name));
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // exited while listing
    }
  }
  return ticks / TICKS;
}
