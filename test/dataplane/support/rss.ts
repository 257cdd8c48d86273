// Samples a process's resident memory from /proc while a test runs.
import { readFileSync } from 'node:fs';

export function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function sampleRss(pid: number, everyMs = 100): { stop(): number } {
  let max = 0;
  const t = setInterval(() => {
    const v = rssMiB(pid);
    if (v !== undefined) max = Math.max(max, v);
  }, everyMs);
  return {
    stop() {
      clearInterval(t);
      return max;
    },
  };
}
