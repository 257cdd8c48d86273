// The final stage of a Dockerfile, as far as the image it makes is concerned: ENV, WORKDIR, USER,
// ENTRYPOINT, CMD, where COPY puts things and which commands RUN requires. Pure; enough for our
// own Dockerfile (exec-form ENTRYPOINT/CMD, `ENV k=v`), and it refuses what it does not read.
import { posix } from 'node:path';

export interface FinalStage {
  from: string;
  env: Record<string, string>;
  workdir: string;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  /** Absolute destinations of COPY, one per source (a directory destination ending in / gets the source's name). */
  copies: string[];
  /** Commands a `RUN command -v X` insists the image has. */
  requiredCommands: string[];
}

/** Joins continuation lines and drops comments and blank lines. */
function instructions(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (cur === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) cur += `${line.slice(0, -1)} `;
    else {
      out.push(cur + line);
      cur = '';
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}

function execForm(what: string, args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`${what} must be an exec-form JSON array of strings: ${args}`);
  return parsed;
}

export function finalStage(dockerfile: string): FinalStage {
  const all = instructions(dockerfile);
  const last = all.map((l) => l.split(/\s+/)[0]!.toUpperCase()).lastIndexOf('FROM');
  if (last < 0) throw new Error('Dockerfile has no FROM');
  const stage: FinalStage = { from: all[last]!.split(/\s+/)[1] ?? '', env: {}, workdir: '/', copies: [], requiredCommands: [] };
  for (const line of all.slice(last + 1)) {
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    switch (op!.toUpperCase()) {
      case 'ENV':
        for (const pair of rest) {
          const eq = pair.indexOf('=');
          if (eq <= 0) throw new Error(`ENV must be written key=value: ${line}`);
          stage.env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^"(.*)"$/, '$1');
        }
        break;
      case 'WORKDIR':
        stage.workdir = posix.resolve(stage.workdir, args);
        break;
      case 'USER':
        stage.user = args;
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = execForm('ENTRYPOINT', args);
        break;
      case 'CMD':
        stage.cmd = execForm('CMD', args);
        break;
      case 'COPY': {
        const paths = rest.filter((a) => !a.startsWith('--'));
        const dest = paths.pop();
        if (dest === undefined || paths.length === 0) throw new Error(`COPY needs a source and a destination: ${line}`);
        const base = posix.resolve(stage.workdir, dest);
        for (const src of paths) stage.copies.push(dest.endsWith('/') ? posix.join(base, posix.basename(src)) : base);
        break;
      }
      case 'RUN':
        for (const m of args.matchAll(/command -v (\S+)/g)) stage.requiredCommands.push(m[1]!);
        break;
      default:
        break;
    }
  }
  return stage;
}

export interface ImageFacts {
  config: { Entrypoint?: string[]; Cmd?: string[]; User?: string; WorkingDir?: string; Env?: string[] };
  /** Absolute paths the image holds (files and directories that matter). */
  paths: string[];
}

/** How the image differs from the Dockerfile's final stage; empty when they agree. */
export function disagreements(stage: FinalStage, image: ImageFacts): string[] {
  const out: string[] = [];
  const same = (what: string, docker: unknown, ours: unknown) => {
    if (JSON.stringify(docker) !== JSON.stringify(ours)) out.push(`${what}: Dockerfile ${JSON.stringify(docker)}, image ${JSON.stringify(ours)}`);
  };
  same('USER', stage.user, image.config.User);
  same('WORKDIR', stage.workdir, image.config.WorkingDir);
  same('ENTRYPOINT', stage.entrypoint, image.config.Entrypoint);
  same('CMD', stage.cmd, image.config.Cmd);
  const env = new Map((image.config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  for (const [k, v] of Object.entries(stage.env)) same(`ENV ${k}`, v, env.get(k));
  for (const c of stage.copies) if (!image.paths.includes(c)) out.push(`COPY puts ${c}, which the image lacks`);
  const path = (env.get('PATH') ?? '').split(':');
  for (const cmd of stage.requiredCommands) {
    if (!image.paths.some((p) => posix.basename(p) === cmd && path.includes(posix.dirname(p)))) out.push(`RUN requires ${cmd}, which is not on the image's PATH`);
  }
  return out;
}
