// The project's own set-up of the Debian packages the node needs: installed with apt-get when
// missing, so a fresh machine needs nothing beyond what the README lists.
import { run } from '../run.ts';

async function installed(pkg: string): Promise<boolean> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', pkg]);
    return stdout.includes('install ok installed');
  } catch {
    return false;
  }
}

export async function ensureDebianPackages(pkgs: string[], log: (s: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const p of pkgs) if (!(await installed(p))) missing.push(p);
  if (missing.length === 0) return;
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another engineer's apt-get may hold the lock: wait for it rather than fail.
  const apt = (args: string[]) => run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { env });
  try {
    await apt(['install', '-y', '--no-install-recommends', ...missing]);
  } catch {
    await apt(['update']);
    await apt(['install', '-y', '--no-install-recommends', ...missing]);
  }
}
