import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authenticate, KeysFileError, mayUse, parseKeysFile, presentedKey } from '../../../src/api/auth.ts';
import { windowOf } from '../../../src/api/rate-limit.ts';
import { looksLikePdf, validCollection } from '../../../src/api/upload.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('keys file', () => {
  const file = `# comment\nci:${sha('k1')}\n\nreader:${sha('k2')}:docs,manuals\n`;

  it('parses names, hashes and collection scopes', () => {
    const keys = parseKeysFile(file);
    expect(keys.map((k) => [k.name, k.collections])).toEqual([
      ['ci', null],
      ['reader', ['docs', 'manuals']],
    ]);
  });

  it.each([
    ['ci', /expected name:sha256hex/],
    ['ci:abc', /64 hex characters/],
    [`a:${sha('x')}\na:${sha('y')}`, /duplicate key name a/],
    [`a:${sha('x')}:c:d`, /expected name:sha256hex/],
  ])('refuses %j', (text, message) => {
    expect(() => parseKeysFile(text)).toThrow(KeysFileError);
    expect(() => parseKeysFile(text)).toThrow(message);
  });

  it('authenticates by hash and scopes collections', () => {
    const keys = parseKeysFile(file);
    expect(authenticate(keys, 'k2')?.name).toBe('reader');
    expect(authenticate(keys, 'k3')).toBeUndefined();
    expect(authenticate(keys, undefined)).toBeUndefined();
    expect(mayUse(authenticate(keys, 'k2')!, 'docs')).toBe(true);
    expect(mayUse(authenticate(keys, 'k2')!, 'other')).toBe(false);
    expect(mayUse(authenticate(keys, 'k1')!, 'anything')).toBe(true);
  });

  it.each([
    [{ authorization: 'Bearer abc' }, 'abc'],
    [{ authorization: 'bearer  abc ' }, 'abc'],
    [{ 'x-api-key': 'xyz' }, 'xyz'],
    [{ authorization: 'Basic abc' }, undefined],
    [{}, undefined],
  ])('reads the presented key from %o', (headers, key) => {
    expect(presentedKey(headers)).toBe(key);
  });
});

describe('upload checks', () => {
  it.each([
    ['%PDF-1.7\n...', true],
    [`${' '.repeat(500)}%PDF-1.4`, true],
    [`${' '.repeat(1100)}%PDF-1.4`, false],
    ['\x89PNG\r\n', false],
    ['', false],
  ])('looksLikePdf(%j) is %s', (head, ok) => {
    expect(looksLikePdf(Buffer.from(head, 'latin1'))).toBe(ok);
  });

  it.each([
    ['docs', true],
    ['my-docs_v1.2', true],
    ['ab', false],
    ['-docs', false],
    ['a..b', false],
    ['10.0.0.1', false],
    ['has space', false],
  ])('validCollection(%j) is %s', (name, ok) => {
    expect(validCollection(name)).toBe(ok);
  });
});

describe('rate-limit windows', () => {
  it.each([
    [0, 0, 60_000],
    [59_999, 0, 1],
    [60_000, 1, 60_000],
    [90_500, 1, 29_500],
  ])('at %i ms the window is %i with %i ms left', (now, window, msLeft) => {
    expect(windowOf(now)).toEqual({ window, msLeft });
  });
});
