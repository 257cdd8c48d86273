import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { watchKeysFile, watchKeysFiles } from '../../../src/api/keys-file.ts';

const hex = (c: string) => c.repeat(64);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchKeysFile', () => {
  it('picks up a rewritten file and keeps the last good keys when it breaks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const file = join(dir, 'keys');
    writeFileSync(file, `old:${hex('a')}\n`);
    const errors: unknown[] = [];
    const w = watchKeysFile(file, 10, (e) => errors.push(e));
    try {
      expect(w.current().map((k) => k.name)).toEqual(['old']);
      // The kubelet swaps a new file in, as it does for an updated Secret volume.
      writeFileSync(join(dir, 'next'), `new:${hex('b')}\nother:${hex('c')}:docs\n`);
      renameSync(join(dir, 'next'), file);
      await sleep(60);
      expect(w.current().map((k) => k.name)).toEqual(['new', 'other']);
      writeFileSync(file, 'this is not a keys file\n');
      await sleep(60);
      expect(w.current().map((k) => k.name)).toEqual(['new', 'other']);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      w.stop();
    }
  });

  it('refuses to start on a broken file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys');
    writeFileSync(file, 'broken\n');
    expect(() => watchKeysFile(file, 10, () => {})).toThrow(/line 1/);
  });

  it('reads the users\' and the operator\'s files together, refusing a name in both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const users = join(dir, 'users');
    const operator = join(dir, 'operator');
    writeFileSync(users, `me:${hex('a')}\n`);
    writeFileSync(operator, `sluice-operator:${hex('b')}\n`);
    const errors: unknown[] = [];
    const w = watchKeysFiles([users, operator], 10, (e) => errors.push(e));
    try {
      expect(w.current().map((k) => k.name)).toEqual(['me', 'sluice-operator']);
      writeFileSync(users, `me:${hex('a')}\nsluice-operator:${hex('c')}\n`);
      await sleep(60);
      expect(w.current().map((k) => k.name)).toEqual(['me', 'sluice-operator']);
      expect(String(errors[0])).toMatch(/sluice-operator appears in both/);
    } finally {
      w.stop();
    }
    expect(() => watchKeysFiles([users, operator], 10, () => {})).toThrow(/appears in both/);
  });
});
