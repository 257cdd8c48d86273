// Runs parse-child.ts under hard limits: a wall-clock timer that SIGKILLs it, V8's heap cap, and
// RLIMIT_AS through prlimit(1), which also bounds ArrayBuffers (decoded streams), the thing a
// Flate bomb inflates. Node reserves about 1.2 GiB of address space up front without touching
// it, so the address-space limit is that reservation plus the configured parser memory.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DocumentError } from '../shared/errors.ts';
import type { ParseOutcome } from './parse-child.ts';

export const NODE_ADDRESS_SPACE_RESERVE_MIB = 1280;

export interface ParserLimits {
  timeoutMs: number;
  memoryMiB: number;
  maxPages: number;
  maxChars: number;
}

export interface ParsedPdf {
  totalPages: number;
  pages: { page: number; text: string }[];
}

const CHILD = fileURLToPath(new URL(`./parse-child${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));

export function childCommand(limits: ParserLimits): { file: string; args: string[] } {
  const node = [
    `--max-old-space-size=${Math.max(32, Math.floor(limits.memoryMiB * 0.75))}`,
    '--max-semi-space-size=16',
    CHILD,
    String(limits.maxPages),
    String(limits.maxChars),
  ];
  if (!PRLIMIT) return { file: process.execPath, args: node };
  const asBytes = (NODE_ADDRESS_SPACE_RESERVE_MIB + limits.memoryMiB) * 1024 * 1024;
  return { file: PRLIMIT, args: [`--as=${asBytes}`, '--core=0', '--', process.execPath, ...node] };
}

/** Classifies how the child ended when it did not deliver an outcome. */
export function classifyChildExit(code: number | null, signal: NodeJS.Signals | null, stderr: string, timedOut: boolean): DocumentError {
  if (timedOut) return new DocumentError('Timeout', 'parsing took longer than the document timeout; the parser was killed');
  if (/out of memory|allocation failed|Failed to reserve|Invalid array length|heap limit|ENOMEM/i.test(stderr) || signal === 'SIGABRT' || signal === 'SIGSEGV' || code === 134) {
    return new DocumentError('OutOfMemory', `the parser exceeded its memory cap (${signal ?? `exit ${code}`})`);
  }
  return new DocumentError('Unknown', `the parser exited unexpectedly (${signal ?? `exit ${code}`}): ${stderr.slice(-500)}`);
}

export function parseInChild(data: Buffer, limits: ParserLimits, signal?: AbortSignal): Promise<ParsedPdf> {
  return new Promise((resolve, reject) => {
    const { file, args } = childCommand(limits);
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limits.timeoutMs);
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-4000);
    });
    child.stdin.on('error', () => undefined); // the child may die before it has read everything
    child.stdin.end(data);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new DocumentError('Unknown', `could not start the parser: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(new DocumentError('Unknown', 'parsing was aborted'));
      let outcome: ParseOutcome | undefined;
      if (code === 0 && !timedOut) {
        try {
          outcome = JSON.parse(Buffer.concat(out).toString('utf8')) as ParseOutcome;
        } catch {
          outcome = undefined;
        }
      }
      if (!outcome) return reject(classifyChildExit(code, sig, stderr, timedOut));
      if (!outcome.ok) return reject(new DocumentError(outcome.type, outcome.message));
      resolve({ totalPages: outcome.totalPages, pages: outcome.pages });
    });
  });
}
