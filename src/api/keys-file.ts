// The API keys file, re-read when it changes. In Kubernetes it is a mounted Secret that the
// kubelet updates in place (about a minute after the Secret changes), so rotating a key needs
// no restart. A file that no longer parses keeps the previous keys and is reported.
import { readFileSync, statSync } from 'node:fs';
import { parseKeysFile, type ApiKey } from './auth.ts';

export interface KeysSource {
  current(): readonly ApiKey[];
  stop(): void;
}

export function watchKeysFile(path: string, intervalMs: number, onError: (err: unknown) => void, onReload: (count: number) => void = () => {}): KeysSource {
  const stamp = () => {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  };
  // Read once, failing loudly: an API that starts with a broken keys file must not run.
  let seen = stamp();
  let keys = parseKeysFile(readFileSync(path, 'utf8'));
  const timer = setInterval(() => {
    try {
      const now = stamp();
      if (now === seen) return;
      const next = parseKeysFile(readFileSync(path, 'utf8'));
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
