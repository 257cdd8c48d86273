// The API keys files, re-read when they change. In Kubernetes each is a mounted Secret that the
// kubelet updates in place (about a minute after the Secret changes), so rotating a key needs
// no restart. The users' keys (SLUICE_API_KEYS_FILE) and the operator's (SLUICE_OPERATOR_KEYS_FILE)
// are read together; a name in both is refused. Keys that no longer parse keep the previous
// keys and are reported.
import { readFileSync, statSync } from 'node:fs';
import { KeysFileError, parseKeysFile, type ApiKey } from './auth.ts';

export interface KeysSource {
  current(): readonly ApiKey[];
  stop(): void;
}

function readAll(paths: readonly string[]): ApiKey[] {
  const keys: ApiKey[] = [];
  const from = new Map<string, string>();
  for (const path of paths) {
    let parsed: ApiKey[];
    try {
      parsed = parseKeysFile(readFileSync(path, 'utf8'));
    } catch (err) {
      throw paths.length > 1 && err instanceof KeysFileError ? new KeysFileError(`${path}: ${err.message}`) : err;
    }
    for (const k of parsed) {
      const other = from.get(k.name);
      if (other !== undefined) throw new KeysFileError(`key name ${k.name} appears in both ${other} and ${path}`);
      from.set(k.name, path);
      keys.push(k);
    }
  }
  return keys;
}

export function watchKeysFiles(paths: readonly string[], intervalMs: number, onError: (err: unknown) => void, onReload: (count: number) => void = () => {}): KeysSource {
  const stamp = () =>
    paths
      .map((p) => {
        const s = statSync(p);
        return `${s.mtimeMs}:${s.size}:${s.ino}`;
      })
      .join('|');
  // Read once, failing loudly: an API that starts with a broken keys file must not run.
  let seen = stamp();
  let keys = readAll(paths);
  const timer = setInterval(() => {
    try {
      const now = stamp();
      if (now === seen) return;
      const next = readAll(paths);
      seen = now;
      keys = next;
      onReload(next.length);
    } catch (err) {
      onError(err);
    }
  }, intervalMs);
  timer.unref();
  return { current: () => keys, stop: () => clearInterval(timer) };
}

export function watchKeysFile(path: string, intervalMs: number, onError: (err: unknown) => void, onReload: (count: number) => void = () => {}): KeysSource {
  return watchKeysFiles([path], intervalMs, onError, onReload);
}
