// Tesseract's command-line engine, one process a page: the image on its standard input, the text
// on its standard output. It runs under prlimit with its own caps (address space and CPU time)
// and a wall-clock limit, so a hostile image ends as a typed error of that page, never as the
// parser's or the worker's death; an orphan (its parser killed at the document's timeout) dies at
// its CPU limit.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { OcrError } from './ocr-error.ts';

export interface RecognizeOptions {
  languages: readonly string[];
  dpi: number;
  timeoutMs: number;
  /** Address space Tesseract may map. */
  memoryMiB: number;
}

const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
const TESSERACT = process.env.SLUICE_TESSERACT ?? 'tesseract';
/** One thread a page: a worker's documents are its parallelism, and OpenMP would fight them for cores. */
const ENV = { ...process.env, OMP_THREAD_LIMIT: '1' };

export async function recognize(image: Buffer, o: RecognizeOptions): Promise<string> {
  const args = ['stdin', 'stdout', '-l', o.languages.join('+'), '--dpi', String(o.dpi)];
  const cpuSeconds = Math.ceil(o.timeoutMs / 1000) + 1;
  const [cmd, argv] = PRLIMIT
    ? [PRLIMIT, [`--as=${o.memoryMiB * 1024 * 1024}`, `--cpu=${cpuSeconds}`, '--', TESSERACT, ...args]]
    : [TESSERACT, args];
  return new Promise<string>((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: ENV });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    child.stdin.on('error', () => {}); // it may exit before reading the whole image
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new OcrError('OcrFailed', `the OCR engine could not be started: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut || signal === 'SIGXCPU') return reject(new OcrError('OcrTimeout', `recognising the page took longer than ${o.timeoutMs / 1000} s`));
      if (code !== 0) return reject(new OcrError('OcrFailed', `the OCR engine failed (${signal ?? `exit ${code}`}): ${err.trim().split('\n').slice(-3).join(' ')}`));
      resolve(Buffer.concat(out).toString('utf8'));
    });
    child.stdin.end(image);
  });
}

const run = promisify(execFile);
let installed: Promise<string[]> | undefined;

/** The languages the engine has data for; empty when it is not installed. Asked once a process. */
export function installedLanguages(): Promise<string[]> {
  installed ??= run(TESSERACT, ['--list-langs'], { env: ENV }).then(
    ({ stdout }) => stdout.split('\n').slice(1).map((l) => l.trim()).filter(Boolean),
    () => [],
  );
  return installed;
}
