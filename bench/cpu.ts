// CPU time of processes from /proc, in seconds: for "per core" figures that count every process
// that did the work (the parser processes and the Chroma server as well as this one).
import { readFileSync } from 'node:fs';

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
