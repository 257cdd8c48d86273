// A real S3-compatible server for tests and `npm start`: SeaweedFS's `weed`, built from the Go
// module proxy into the cache once per version (like the Kubernetes binaries), run as one
// process (master, volume, filer, S3) on free loopback ports with credentials that are checked.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheRoot } from './binaries.ts';
import { ensureGoBinary, goBinaryPath, type GoBinary } from './go-build.ts';
import { eventually, freePort, GiveUp } from './net.ts';
import { exited, spawnGroup, stopGroup } from './process-group.ts';

/** The proxy lists no tagged versions of github.com/seaweedfs/seaweedfs; this pseudo-version is served. */
export const SEAWEEDFS_VERSION = 'v0.0.0-20261109003541-7506e5f91cd6';
const MODULE = 'github.com/seaweedfs/seaweedfs';

const WEED: GoBinary = {
  dir: `seaweedfs-${SEAWEEDFS_VERSION}`,
  wrapper: 'seaweedfs',
  pkg: `${MODULE}/weed`,
  version: SEAWEEDFS_VERSION,
  binary: 'weed',
};

export function weedPath(root = cacheRoot()): string {
  return goBinaryPath(root, WEED);
}

/** Returns the path of `weed`, building it if the cache lacks it (~6 minutes cold, once). */
export async function ensureWeed(opts: { root?: string; log?: (s: string) => void } = {}): Promise<string> {
  const log = opts.log ?? ((s: string) => console.error(`[seaweedfs] ${s}`));
  return ensureGoBinary(opts.root ?? cacheRoot(), WEED, {
    building: () => log(`building SeaweedFS ${SEAWEEDFS_VERSION} from the Go module proxy (several minutes, once)`),
    downloaded: (s) => log(`downloaded SeaweedFS modules in ${s}s; compiling (~6 min on 2 cores)`),
    built: (s) => log(`built weed (SeaweedFS ${SEAWEEDFS_VERSION}) in ${s}s`),
  });
}

export interface SeaweedFs {
  /** The S3 endpoint, http://127.0.0.1:PORT (path-style addressing). */
  s3Url: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  dataDir: string;
  logFile: string;
  stop(): Promise<void>;
}

export interface SeaweedFsOptions {
  /** Kept after stop() when given; a temporary directory (removed on stop) otherwise. */
  dataDir?: string;
  accessKey?: string;
  secretKey?: string;
  /** A fixed S3 port (npm start's example job names it); a free one when left out. */
  s3Port?: number;
  log?: (s: string) => void;
}

/** SeaweedFS ignores SIGTERM for a long while: it gets this long, then SIGKILL. */
const STOP_GRACE_MS = 3000;

function identities(accessKey: string, secretKey: string): string {
  // No "anonymous" identity: an unsigned or wrongly signed request is refused.
  return JSON.stringify({
    identities: [{ name: 'sluice', credentials: [{ accessKey, secretKey }], actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'] }],
  });
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function masterHasVolumeServer(masterUrl: string): Promise<boolean> {
  const res = await fetch(`${masterUrl}/dir/status`, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) return false;
  return JSON.stringify(await res.json()).includes('"DataNodes"');
}

/** Starts `weed server` with S3 on free loopback ports and waits until it can take objects. */
export async function startSeaweedFs(opts: SeaweedFsOptions = {}): Promise<SeaweedFs> {
  const weed = await ensureWeed(opts.log ? { log: opts.log } : {});
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'sluice-seaweedfs-'));
  mkdirSync(join(dataDir, 'data'), { recursive: true });
  const accessKeyId = opts.accessKey ?? `sluice${randomBytes(6).toString('hex')}`;
  const secretAccessKey = opts.secretKey ?? randomBytes(24).toString('base64url');
  const configFile = join(dataDir, 's3-identities.json');
  writeFileSync(configFile, identities(accessKeyId, secretAccessKey), { mode: 0o600 });
  // Every port explicit: the gRPC defaults (port + 10000) may not exist above 55535, and two
  // instances must not share the unix sockets named after the ports.
  const [freeS3, s3Grpc, master, masterGrpc, volume, volumeGrpc, filer, filerGrpc] = (await distinctFreePorts(8)) as [number, number, number, number, number, number, number, number];
  const s3 = opts.s3Port ?? freeS3;
  const logFile = join(dataDir, 'weed.log');
  const args = [
    'server',
    `-dir=${join(dataDir, 'data')}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-master.port=${master}`,
    `-master.port.grpc=${masterGrpc}`,
    '-master.telemetry=false',
    '-master.volumeSizeLimitMB=64',
    `-volume.port=${volume}`,
    `-volume.port.grpc=${volumeGrpc}`,
    '-volume.max=32',
    `-filer.port=${filer}`,
    `-filer.port.grpc=${filerGrpc}`,
    '-s3',
    `-s3.port=${s3}`,
    `-s3.port.grpc=${s3Grpc}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    `-s3.config=${configFile}`,
  ];
  const child = spawnGroup(weed, args, logFile);
  const s3Url = `http://127.0.0.1:${s3}`;
  const stop = async () => {
    await stopGroup(child, STOP_GRACE_MS);
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await eventually(
      'SeaweedFS to serve S3 with a volume server',
      async () => {
        if (exited(child)) throw new GiveUp(`weed exited (${child.exitCode ?? child.signalCode}); see ${logFile}`);
        const s3Answer = await fetch(`${s3Url}/`, { signal: AbortSignal.timeout(2000) });
        // Unsigned: 403 from an S3 API that checks credentials is the answer we want.
        return s3Answer.status === 403 && (await masterHasVolumeServer(`http://127.0.0.1:${master}`));
      },
      60_000,
      250,
    );
  } catch (e) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-3000) : '';
    await stop();
    throw new Error(`${(e as Error).message}\n${log}`, { cause: e });
  }
  return { s3Url, accessKeyId, secretAccessKey, region: 'us-east-1', dataDir, logFile, stop };
}
