// The operator as the benchmarks run it: as a child process, as in its pod, with its RSS read
// from /proc. By default from the TypeScript source; `buildOperator()` compiles it as the image
// does, since Node's type stripping (amaro, ~18 MiB) is resident only when running sources.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { parse } from 'yaml';
import { freePort, waitFor } from '@sluice/devenv/net';

export interface BenchOperator {
  child: ChildProcess;
  /** Its /healthz /readyz /metrics port. */
  port: number;
  /** The last 4,000 characters it wrote to stderr. */
  stderr(): string;
}

export const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Resident memory of anonymous pages (heap, malloc) and of mapped files (the node binary), MiB. */
export function rssParts(pid: number): { anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
  return { anon: kib('RssAnon'), file: kib('RssFile') + kib('RssShmem') };
}

/** CPU seconds (user and system) the process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks of 1/100 s
}

/**
 * The Node flags the operator's Deployment (manifests/manager/deployment.yaml) runs it with: the
 * options of its `node` command before the script, so the benchmark measures what is deployed.
 */
export function deployedNodeFlags(): string[] {
  const deployment = parse(readFileSync('manifests/manager/deployment.yaml', 'utf8')) as { spec: { template: { spec: { containers: { name: string; command?: string[] }[] } } } };
  const command = deployment.spec.template.spec.containers.find((c) => c.name === 'operator')?.command ?? [];
  return command[0] === 'node' ? command.slice(1).filter((a) => a.startsWith('--')) : [];
}

/** Where `src/controller/main.ts` is run from: the source, or a build's `main.js controller`. */
export type OperatorEntry = { source: true } | { dist: string };

/**
 * Compiles src/ with tsconfig.build.json (as the image's `npm run build`) into a fresh temporary
 * directory that resolves the repository's node_modules; returns that directory.
 */
export async function buildOperator(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-operator-build-'));
  const dist = join(dir, 'dist');
  await promisify(execFile)(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dist, '--sourceMap', 'false']);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await symlink(resolve('node_modules'), join(dir, 'node_modules'));
  return dist;
}

/** Starts the operator with these flags (plus --http-port) and waits until /readyz answers. */
export async function spawnOperator(flags: string[], env: Record<string, string> = {}, entry: OperatorEntry = { source: true }, nodeFlags: string[] = []): Promise<BenchOperator> {
  const port = await freePort();
  const main = 'dist' in entry ? [join(entry.dist, 'main.js'), 'controller'] : ['src/controller/main.ts'];
  const child = spawn(process.execPath, [...nodeFlags, ...main, ...flags, `--http-port=${port}`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  await waitFor('the operator to be ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 30_000);
  return { child, port, stderr: () => stderr };
}

/** The operator's memory as its own /metrics reports it (prom-client's process and V8 gauges), MiB. */
export interface OperatorMemory {
  rss: number;
  /** Of rss: anonymous pages, and pages of mapped files (mostly the node binary's code). */
  anon: number;
  file: number;
  heapTotal: number;
  heapUsed: number;
  /** Of heapTotal: the young generation (its semispaces), machine code, and bytecode (V8's trusted space). */
  young: number;
  code: number;
  bytecode: number;
  external: number;
}

export async function operatorMemory(port: number, pid: number): Promise<OperatorMemory> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^sluice_controller_${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  const space = (name: string) => gauge(`nodejs_heap_space_size_total_bytes\\{space="${name}"\\}`);
  return {
    ...rssParts(pid),
    rss: gauge('process_resident_memory_bytes'),
    heapTotal: gauge('nodejs_heap_size_total_bytes'),
    heapUsed: gauge('nodejs_heap_size_used_bytes'),
    young: space('new'),
    code: space('code') + space('code_large_object'),
    bytecode: space('trusted') + space('trusted_large_object'),
    external: gauge('nodejs_external_memory_bytes'),
  };
}

export const formatMemory = (m: OperatorMemory) =>
  `RSS ${m.rss.toFixed(0)} MiB (anonymous ${m.anon.toFixed(0)}, files ${m.file.toFixed(0)}; V8 heap ${m.heapUsed.toFixed(0)} used of ${m.heapTotal.toFixed(0)}, of which young ${m.young.toFixed(0)}, code ${m.code.toFixed(0)}, bytecode ${m.bytecode.toFixed(0)}; external ${m.external.toFixed(0)})`;
