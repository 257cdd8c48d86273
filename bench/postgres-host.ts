// The PostgreSQL server on this machine, for the uploads benchmark: the bandwidth of the disk it
// writes to (`dd` of 512 MiB with fdatasync into a file on the same filesystem as its data
// directory), and the CPU its processes spend.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';

const run = promisify(execFile);

/**
 * A writable directory on the same filesystem as the server's data directory, or undefined when
 * the server is not on this machine (or its data directory cannot be seen).
 */
export async function dirBesideDataDir(pool: pg.Pool): Promise<{ dataDir: string; dir: string } | undefined> {
  const dataDir = (await pool.query<{ data_directory: string }>('SHOW data_directory')).rows[0]?.data_directory;
  if (!dataDir) return undefined;
  let dev: number;
  try {
    dev = statSync(dataDir).dev;
  } catch {
    return undefined;
  }
  // The data directory itself is the server's; a sibling or the temporary directory will do.
  for (const dir of [tmpdir(), dirname(dataDir), dirname(dirname(dataDir))]) {
    try {
      accessSync(dir, constants.W_OK);
      if (statSync(dir).dev === dev) return { dataDir, dir };
    } catch {
      // not writable or not there: the next one
    }
  }
  return undefined;
}

/** `dd if=/dev/zero bs=1M count=<mib> conv=fdatasync` into `dir`: MB/s (10^6 bytes) as dd reports it. */
export async function ddWrite(dir: string, mib = 512): Promise<number> {
  const file = join(dir, `sluice-dd-${randomBytes(6).toString('hex')}`);
  try {
    const { stderr } = await run('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${mib}`, 'conv=fdatasync']);
    const m = /(\d+) bytes .* copied, ([\d.e+-]+) s/.exec(stderr);
    if (!m) throw new Error(`unexpected dd output: ${stderr}`);
    return Number(m[1]) / Number(m[2]) / 1e6;
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * CPU seconds spent by this machine's PostgreSQL processes so far: each one's own, plus what the
 * postmaster has collected from backends that have exited. Counts every client of the server.
 */
export function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() !== 'postgres') continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime: only the postmaster has waited-for children.
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100; // USER_HZ
}

/** User and system CPU seconds of one process so far (fields 14 and 15 of /proc/PID/stat). */
export function userSystemSeconds(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]) / 100, system: Number(f[12]) / 100 };
}

/** The machine's CPU time so far, in USER_HZ ticks: all of it, and the idle part (idle + iowait). */
export function machineTicks(): { total: number; idle: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const t = line.trim().split(/\s+/).slice(1).map(Number);
  return { total: t.reduce((a, b) => a + b, 0), idle: (t[3] ?? 0) + (t[4] ?? 0) };
}

export interface PostgresCpuSplit {
  /** The backends serving connections named `applicationName`. */
  backends: number;
  /** WAL writer, checkpointer, background writer, autovacuum: shared by every client, most of it driven by the writes. */
  background: number;
}

/**
 * CPU seconds the server spends for one client process, which names its connections
 * `applicationName` (PGAPPNAME), and in its background processes, from now until stop(): the
 * server's other clients (other tests on a shared machine) are left out. pg_stat_activity says
 * which processes those are every `everyMs`, and only theirs are read in /proc; a backend that
 * exits between two samples loses what it spent since the last.
 */
export function postgresCpuFor(pool: pg.Pool, applicationName: string, everyMs = 250): { stop(): Promise<PostgresCpuSplit> } {
  const first = new Map<number, number>();
  const last = new Map<number, { kind: keyof PostgresCpuSplit; cpu: number }>();
  let initial = true;
  const sample = async () => {
    const { rows } = await pool.query<{ pid: number; mine: boolean }>(
      `SELECT pid, application_name = $1 AS mine FROM pg_stat_activity WHERE application_name = $1 OR backend_type <> 'client backend'`,
      [applicationName],
    );
    for (const { pid, mine } of rows) {
      try {
        const { user, system } = userSystemSeconds(pid);
        // A process first seen after the first sample started since: all of its time counts.
        if (!first.has(pid)) first.set(pid, initial ? user + system : 0);
        last.set(pid, { kind: mine ? 'backends' : 'background', cpu: user + system });
      } catch {
        // gone meanwhile
      }
    }
    initial = false;
  };
  let sampling = sample();
  const timer = setInterval(() => (sampling = sampling.then(sample)), everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      await sample();
      const split: PostgresCpuSplit = { backends: 0, background: 0 };
      for (const [pid, { kind, cpu }] of last) split[kind] += cpu - (first.get(pid) ?? 0);
      return split;
    },
  };
}
