import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifestLine, readManifestPage } from '../../../src/worker/fetch/manifest-reader.ts';
import type { FetchSettings } from '../../../src/shared/config/fetch-settings.ts';

const s: FetchSettings = { allowPrivateNetworks: false, maxBytes: 1 << 20, connectTimeoutMs: 1000, timeoutMs: 1000, maxRedirects: 0, denyHosts: [] };
const signal = new AbortController().signal;

describe('one manifest line', () => {
  it.each([
    ['https://example.com/a.pdf', { uri: 'https://example.com/a.pdf' }],
    ['s3://bucket/dir/a b.pdf', { uri: 's3://bucket/dir/a b.pdf' }],
    ['{"uri":"http://h/x.pdf","name":"X","metadata":{"team":"hr"}}', { uri: 'http://h/x.pdf', name: 'X', metadata: { team: 'hr' } }],
  ])('%s', (text, parsed) => {
    expect(parseManifestLine(text, 1)).toEqual(parsed);
  });

  it.each([
    ['ftp://h/a.pdf', /line 7 has a ftp:\/\/ URI; only http:\/\/, https:\/\/ and s3:\/\/ are fetched/],
    ['file:///etc/passwd', /line 7 has a file:\/\/ URI/],
    ['just words', /line 7 is not a URI/],
    ['s3://bucket', /line 7 has an s3 URI without a bucket and key/],
    ['{"uri":', /line 7 is not valid JSON/],
    ['{"name":"x"}', /line 7 has no "uri" string/],
    ['{"uri":"http://h/a","metadata":{"n":1}}', /line 7 has metadata "n" that is not a string/],
    ['{"uri":"http://h/a","metadata":[]}', /line 7 has "metadata" that is not an object/],
    ['{"uri":"http://h/a","extra":1}', /line 7 has unknown field "extra"/],
    ['{"uri":"http://h/a","name":""}', /line 7 has a "name"/],
  ])('%s is refused', (text, message) => {
    expect(() => parseManifestLine(text, 7)).toThrow(ManifestError);
    expect(() => parseManifestLine(text, 7)).toThrow(message);
  });
});

describe('manifest pages', () => {
  const content = ['# documents', '', 'https://h/1.pdf', '  https://h/2.pdf  ', '{"uri":"s3://b/3.pdf","name":"three"}', '# between', 'https://h/4.pdf', '', '# end', ''].join('\r\n');

  it('reads pages with the line to resume from, skipping blanks and comments', async () => {
    const p1 = await readManifestPage({ content }, 1, 2, s, signal);
    expect(p1).toEqual({ entries: [{ uri: 'https://h/1.pdf', line: 3 }, { uri: 'https://h/2.pdf', line: 4 }], nextLine: 5 });
    const p2 = await readManifestPage({ content }, 5, 2, s, signal);
    expect(p2).toEqual({ entries: [{ uri: 's3://b/3.pdf', name: 'three', line: 5 }, { uri: 'https://h/4.pdf', line: 7 }], nextLine: null });
    expect(await readManifestPage({ content }, 8, 2, s, signal)).toEqual({ entries: [], nextLine: null });
  });

  it('says the manifest is exhausted when only comments follow a full page', async () => {
    expect((await readManifestPage({ content }, 5, 2, s, signal)).nextLine).toBeNull();
    expect((await readManifestPage({ content: 'https://h/a\nhttps://h/b' }, 1, 2, s, signal)).nextLine).toBeNull();
  });

  it('does not look at lines before fromLine or after the page', async () => {
    const bad = 'not a uri\nhttps://h/a\nhttps://h/b\nalso bad';
    expect(await readManifestPage({ content: bad }, 2, 1, s, signal)).toEqual({ entries: [{ uri: 'https://h/a', line: 2 }], nextLine: 3 });
    await expect(readManifestPage({ content: bad }, 3, 5, s, signal)).rejects.toThrow(/manifest line 4 is not a URI/);
  });

  it('refuses a line longer than the limit', async () => {
    await expect(readManifestPage({ content: `https://h/${'a'.repeat(70_000)}` }, 1, 5, s, signal)).rejects.toThrow(/line 1 is longer than/);
  });
});
