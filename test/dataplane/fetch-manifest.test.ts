// Manifest pages read from a real http server: streamed, re-read from the start for a later
// page, and left as soon as the page is full.
import { afterEach, describe, expect, it } from 'vitest';
import { DocumentError } from '../../src/shared/errors.ts';
import type { FetchSettings } from '../../src/shared/config/fetch-settings.ts';
import { ManifestError, readManifestPage } from '../../src/worker/fetch/manifest-reader.ts';
import { startOrigin, type Origin } from './support/http-origin.ts';

const settings: FetchSettings = { allowPrivateNetworks: true, maxBytes: 1 << 30, connectTimeoutMs: 2000, timeoutMs: 10_000, maxRedirects: 5, denyHosts: [] };
const signal = () => new AbortController().signal;
const LINES = 2_000_000;
const lineOf = (n: number) => (n % 3 === 0 ? `{"uri":"https://docs.example.com/${n}.pdf","name":"doc ${n}"}\n` : n % 7 === 0 ? `# comment ${n}\n` : `https://docs.example.com/${n}.pdf\n`);

let origin: Origin | undefined;
afterEach(async () => {
  await origin?.close();
  origin = undefined;
});

/** A manifest of two million lines (~80 MB), written with backpressure; counts bytes written. */
async function bigManifest(): Promise<{ url: string; written: () => number; closed: () => Promise<void> }> {
  let written = 0;
  let done: Promise<void> = Promise.resolve();
  origin = await startOrigin((_req, res) => {
    done = new Promise((resolve) => res.on('close', resolve));
    let n = 1;
    const pump = () => {
      while (n <= LINES && !res.destroyed) {
        let chunk = '';
        for (let i = 0; i < 500 && n <= LINES; i++) chunk += lineOf(n++);
        written += Buffer.byteLength(chunk);
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  return { url: `${origin.url}/manifest.txt`, written: () => written, closed: () => done };
}

describe('manifest from a URL', () => {
  it('reads the first page and stops reading', async () => {
    const m = await bigManifest();
    const page = await readManifestPage({ url: m.url }, 1, 5, settings, signal());
    expect(page.entries).toEqual([
      { uri: 'https://docs.example.com/1.pdf', line: 1 },
      { uri: 'https://docs.example.com/2.pdf', line: 2 },
      { uri: 'https://docs.example.com/3.pdf', name: 'doc 3', line: 3 },
      { uri: 'https://docs.example.com/4.pdf', line: 4 },
      { uri: 'https://docs.example.com/5.pdf', line: 5 },
    ]);
    expect(page.nextLine).toBe(6);
    await m.closed();
    expect(m.written()).toBeLessThan(16 << 20);
  });

  it('resumes at a later line, skipping the lines before it and the comments', async () => {
    const m = await bigManifest();
    const page = await readManifestPage({ url: m.url }, 100_000, 3, settings, signal());
    expect(page.entries.map((e) => e.line)).toEqual([100_000, 100_001, 100_002]);
    expect(page.nextLine).toBe(100_003);
    const after = await readManifestPage({ url: m.url }, 139, 2, settings, signal());
    expect(after.entries.map((e) => e.line)).toEqual([139, 141]); // 140 = 7 * 20 is a comment
  });

  it('reads the last page to its end', async () => {
    origin = await startOrigin((_req, res) => res.end('https://h/1.pdf\n\n# done\nhttps://h/2.pdf'));
    expect(await readManifestPage({ url: `${origin.url}/m` }, 2, 10, settings, signal())).toEqual({ entries: [{ uri: 'https://h/2.pdf', line: 4 }], nextLine: null });
  });

  it('names the line of an invalid entry', async () => {
    origin = await startOrigin((_req, res) => res.end('https://h/1.pdf\nhttps://h/2.pdf\ngopher://h/3\n'));
    const e = await readManifestPage({ url: `${origin.url}/m` }, 1, 10, settings, signal()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ManifestError);
    expect(e).toMatchObject({ line: 3 });
    expect((e as Error).message).toMatch(/manifest line 3 has a gopher:\/\/ URI/);
  });

  it('fails with the fetch classification when the manifest cannot be fetched', async () => {
    origin = await startOrigin((_req, res) => res.writeHead(404).end());
    const e = await readManifestPage({ url: `${origin.url}/gone` }, 1, 10, settings, signal()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DocumentError);
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: true });
  });
});
