// Builds kube-apiserver, kube-controller-manager, kubectl and etcd from the Go module proxy, once
// per version, into a cache outside the repository. k8s.io/kubernetes cannot be `go install`ed
// (its staging modules are replaced with ./staging paths), so a throwaway wrapper module
// requires it and replaces every staging module with its published v0.Y.Z twin.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { withOwnedLock } from './lock.ts';
import { run } from './run.ts';

export const KUBERNETES_VERSION = 'v1.36.3';
export const ETCD_VERSION = 'v3.6.16';

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubectl: string;
}

export function cacheRoot(): string {
  if (process.env.SLUICE_CACHE_DIR) return process.env.SLUICE_CACHE_DIR;
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sluice');
}

export function binaryPaths(root = cacheRoot()): Binaries {
  const k8s = join(root, `kubernetes-${KUBERNETES_VERSION}`, 'bin');
  return {
    etcd: join(root, `etcd-${ETCD_VERSION}`, 'bin', 'etcd'),
    kubeApiserver: join(k8s, 'kube-apiserver'),
    kubeControllerManager: join(k8s, 'kube-controller-manager'),
    kubectl: join(k8s, 'kubectl'),
  };
}

export const goEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  // The machine's Go must do: no toolchain download, no cgo, no VCS stamping of a wrapper.
  GOTOOLCHAIN: 'local',
  CGO_ENABLED: '0',
  GOFLAGS: '-buildvcs=false -mod=mod',
});

/** `-X` flags so that /version reports the real release instead of v0.0.0-master. */
export function versionLdflags(version: string): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const flags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(
      `-X ${pkg}.gitVersion=${version}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
      `-X ${pkg}.gitCommit=0000000000000000000000000000000000000000`,
      `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
    );
  }
  return flags.join(' ');
}

/** The `k8s.io/NAME => ./staging/...` lines of k8s.io/kubernetes' go.mod, as module names. */
export function stagingModules(goMod: string): string[] {
  return [...goMod.matchAll(/^\s*(k8s\.io\/[A-Za-z0-9._-]+)\s+=>\s+\.\/staging\//gm)].map((m) => m[1]!);
}

/** Runs `fn` holding `<dir>.lock`, so that concurrent runs build a version once. */
export function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  return withOwnedLock(`${dir}.lock`, dir, (line) => console.error(`[binaries] ${line}`), fn);
}

async function buildKubernetes(root: string, log: (s: string) => void): Promise<void> {
  const out = join(root, `kubernetes-${KUBERNETES_VERSION}`);
  const work = join(out, 'module');
  const bin = join(out, 'bin');
  mkdirSync(work, { recursive: true });
  mkdirSync(bin, { recursive: true });
  const env = goEnv();
  const minor = KUBERNETES_VERSION.split('.')[1];
  const patch = KUBERNETES_VERSION.split('.')[2];
  writeFileSync(join(work, 'go.mod'), 'module sluice.local/kubernetes\n\ngo 1.26\n');
  const { stdout } = await run('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`], { cwd: work, env });
  const info = JSON.parse(stdout) as { GoMod: string };
  const staging = stagingModules(readFileSync(info.GoMod, 'utf8'));
  if (staging.length < 20) throw new Error(`expected ~30 staging modules in k8s.io/kubernetes ${KUBERNETES_VERSION}, found ${staging.length}`);
  await run('go', ['mod', 'edit', `-require=k8s.io/kubernetes@${KUBERNETES_VERSION}`, ...staging.map((m) => `-replace=${m}=${m}@v0.${minor}.${patch}`)], { cwd: work, env });
  const commands = ['kube-apiserver', 'kube-controller-manager', 'kubectl'];
  await run('go', ['get', ...commands.map((c) => `k8s.io/kubernetes/cmd/${c}@${KUBERNETES_VERSION}`)], { cwd: work, env });
  // One binary at a time: each link takes ~2 GiB.
  for (const c of commands) {
    const t = Date.now();
    await run('go', ['build', '-trimpath', '-ldflags', versionLdflags(KUBERNETES_VERSION), '-o', join(bin, `${c}.tmp`), `k8s.io/kubernetes/cmd/${c}`], { cwd: work, env });
    renameSync(join(bin, `${c}.tmp`), join(bin, c));
    log(`built ${c} ${KUBERNETES_VERSION} in ${Math.round((Date.now() - t) / 1000)}s`);
  }
}

async function buildEtcd(root: string, log: (s: string) => void): Promise<void> {
  const out = join(root, `etcd-${ETCD_VERSION}`);
  const work = join(out, 'module');
  const bin = join(out, 'bin');
  mkdirSync(work, { recursive: true });
  mkdirSync(bin, { recursive: true });
  const env = goEnv();
  const t = Date.now();
  writeFileSync(join(work, 'go.mod'), 'module sluice.local/etcd\n\ngo 1.26\n');
  await run('go', ['get', `go.etcd.io/etcd/server/v3@${ETCD_VERSION}`], { cwd: work, env });
  const ldflags = `-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=${ETCD_VERSION}`;
  await run('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', join(bin, 'etcd.tmp'), 'go.etcd.io/etcd/server/v3'], { cwd: work, env });
  renameSync(join(bin, 'etcd.tmp'), join(bin, 'etcd'));
  log(`built etcd ${ETCD_VERSION} in ${Math.round((Date.now() - t) / 1000)}s`);
}

/** Returns the binaries, building whichever are missing from the cache. */
export async function ensureBinaries(opts: { root?: string; log?: (s: string) => void } = {}): Promise<Binaries> {
  const root = opts.root ?? cacheRoot();
  const log = opts.log ?? ((s: string) => console.error(`[binaries] ${s}`));
  const paths = binaryPaths(root);
  if (![paths.kubeApiserver, paths.kubeControllerManager, paths.kubectl].every((p) => existsSync(p))) {
    await withLock(join(root, `kubernetes-${KUBERNETES_VERSION}`), async () => {
      if (![paths.kubeApiserver, paths.kubeControllerManager, paths.kubectl].every((p) => existsSync(p))) {
        log(`building Kubernetes ${KUBERNETES_VERSION} from the Go module proxy (several minutes, once)`);
        await buildKubernetes(root, log);
      }
    });
  }
  if (!existsSync(paths.etcd)) {
    await withLock(join(root, `etcd-${ETCD_VERSION}`), async () => {
      if (!existsSync(paths.etcd)) await buildEtcd(root, log);
    });
  }
  return paths;
}
