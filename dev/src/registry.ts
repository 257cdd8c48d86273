// An OCI registry on loopback: `registry` of github.com/distribution/distribution/v3, built from the
// Go module proxy into the cache once per version, run with its storage in a throwaway directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goBinary, goTool } from './go-build.ts';
import { freePort } from './net.ts';

export const REGISTRY_VERSION = 'v3.1.2';

const REGISTRY = goBinary('registry', 'github.com/distribution/distribution/v3/cmd/registry', REGISTRY_VERSION);

/** Returns the path of `registry`, building it if the cache lacks it. */
export const ensureRegistry = goTool(REGISTRY, 'registry', 'minutes');

export interface LocalRegistry {
  /** host:port, for image references: `${host}/sluice:0.1.0`. */
  host: string;
  stop(): Promise<void>;
}

/** Starts a registry on 127.0.0.1 (plain HTTP, which clients allow for localhost) until stopped. */
export async function startRegistry(opts: { log?: (s: string) => void } = {}): Promise<LocalRegistry> {
  const bin = await ensureRegistry(opts);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: "127.0.0.1:${port}" }`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(bin, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const host = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`registry exited (${child.exitCode}): ${stderr}`);
    const ok = await fetch(`http://${host}/v2/`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 100) throw new Error(`registry did not answer on ${host}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
