// Runs a command to completion, collecting its output; rejects with the output on failure.
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly command: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  constructor(command: string, code: number | null, stdout: string, stderr: string) {
    super(`${command} exited with ${code}: ${stderr.trim().slice(-2000) || stdout.trim().slice(-2000)}`);
    this.command = command;
    this.code = code;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new CommandError([cmd, ...args].join(' '), code, stdout, stderr));
    });
    // A command may exit without reading its input; that is not our failure.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}
