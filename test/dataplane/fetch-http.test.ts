// fetchDocument over http against real local servers: status classification, the size cap
// while streaming, the SSRF guard on the first hop and on redirects, connect and total timeouts.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort, sleep } from '@sluice/devenv/net';
import { DocumentError } from '../../src/shared/errors.ts';
import { fetchDocument, readAll } from '../../src/worker/fetch/fetch-document.ts';
import type { FetchSettings } from '../../src/shared/config/fetch-settings.ts';
import { FetchRefused } from '../../src/worker/fetch/ssrf-guard.ts';
import { startOrigin } from './support/http-origin.ts';

const settings: FetchSettings = { allowPrivateNetworks: true, maxBytes: 1 << 20, connectTimeoutMs: 2000, timeoutMs: 10_000, maxRedirects: 5, denyHosts: [] };
const signal = () => new AbortController().signal;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function origin(handler: Parameters<typeof startOrigin>[0]) {
  const o = await startOrigin(handler);
  cleanups.push(() => o.close());
  return o;
}

async function failure(p: Promise<unknown>): Promise<DocumentError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DocumentError);
  return e as DocumentError;
}

const get = async (url: string, s: FetchSettings = settings) => readAll(await fetchDocument(url, s, { signal: signal() }));

describe('status codes', () => {
  it.each([
    [404, true],
    [403, true],
    [410, true],
    [400, true],
    [500, false],
    [502, false],
    [503, false],
    [429, false],
    [408, false],
  ])('%i is FetchFailed, permanent: %s', async (status, permanent) => {
    const o = await origin((_req, res) => res.writeHead(status).end('no'));
    const e = await failure(get(`${o.url}/doc.pdf?sig=secret`));
    expect(e).toMatchObject({ type: 'FetchFailed', permanent });
    expect(e.message).toContain(`answered ${status}`);
    expect(e.message).not.toContain('secret');
  });

  it('a server failing twice with 503 gives two transient errors, then the third call succeeds', async () => {
    let calls = 0;
    const o = await origin((_req, res) => (++calls <= 2 ? res.writeHead(503).end() : res.end('%PDF-1.7 body')));
    for (let i = 0; i < 2; i++) expect(await failure(get(`${o.url}/x.pdf`))).toMatchObject({ type: 'FetchFailed', permanent: false });
    expect((await get(`${o.url}/x.pdf`)).toString()).toBe('%PDF-1.7 body');
    expect(calls).toBe(3);
  });
});

describe('size cap', () => {
  it('stops a 1 GiB stream at the cap without reading it whole', async () => {
    let written = 0;
    let closed!: () => void;
    const serverDone = new Promise<void>((r) => (closed = r));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const o = await origin((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf' }); // chunked: no Content-Length to go by
      res.on('close', closed);
      const pump = () => {
        while (written < 1 << 30 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const e = await failure(get(`${o.url}/huge.pdf`));
    expect(e).toMatchObject({ type: 'TooLarge', permanent: true });
    expect(e.message).toMatch(/larger than the fetch limit of 1048576 bytes/);
    await serverDone;
    // The server is stopped by the closed socket once kernel buffers fill: a few MiB at most.
    expect(written).toBeLessThan(32 << 20);
  });

  it('fails on a Content-Length over the cap before reading the body', async () => {
    let bodyWritten = false;
    const o = await origin((_req, res) => {
      res.writeHead(200, { 'content-length': String(2 ** 31) });
      res.flushHeaders();
      setTimeout(() => {
        bodyWritten = !res.destroyed;
        if (!res.destroyed) res.write('x');
      }, 300);
    });
    const t = Date.now();
    const e = await failure(fetchDocument(`${o.url}/big.pdf`, settings, { signal: signal() }));
    expect(e).toMatchObject({ type: 'TooLarge', permanent: true });
    expect(e.message).toMatch(/Content-Length 2147483648/);
    expect(Date.now() - t).toBeLessThan(300);
    await sleep(400);
    expect(bodyWritten).toBe(false);
  });

  it('passes a body of exactly the cap', async () => {
    const body = Buffer.alloc(settings.maxBytes, 0x62);
    const o = await origin((_req, res) => res.end(body));
    expect((await get(`${o.url}/exact.pdf`)).length).toBe(settings.maxBytes);
  });
});

describe('SSRF guard', () => {
  it('refuses a link-local URI without connecting', async () => {
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    const e = await failure(get('http://169.254.169.254/latest/meta-data/', settings));
    expect(e).toBeInstanceOf(FetchRefused);
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: true, address: '169.254.169.254' });
    expect(e.message).toMatch(/link-local 169\.254\.0\.0\/16/);
    expect(connect).not.toHaveBeenCalled();
  });

  it('refuses loopback unless private networks are allowed', async () => {
    const o = await origin((_req, res) => res.end('ok'));
    const e = await failure(get(`${o.url}/a.pdf`, { ...settings, allowPrivateNetworks: false }));
    expect(e.message).toMatch(/loopback 127\.0\.0\.0\/8 is not fetched unless SLUICE_FETCH_ALLOW_PRIVATE_NETWORKS is true/);
    const byName = await failure(get(`http://localhost:${o.port}/a.pdf`, { ...settings, allowPrivateNetworks: false }));
    expect(byName).toBeInstanceOf(FetchRefused);
  });

  it('refuses a redirect to a link-local address, and one to a deny-listed host', async () => {
    let hits = 0;
    const o = await origin((req, res) => {
      hits++;
      const to = req.url === '/meta' ? 'http://169.254.169.254/latest/meta-data/' : 'http://demo-api.sluice.svc.cluster.local:8080/v1/jobs';
      res.writeHead(302, { location: to }).end();
    });
    const e1 = await failure(get(`${o.url}/meta`));
    expect(e1).toBeInstanceOf(FetchRefused);
    expect(e1.message).toMatch(/169\.254\.169\.254: link-local/);
    const e2 = await failure(get(`${o.url}/named`, { ...settings, denyHosts: ['demo-api'] }));
    expect(e2).toBeInstanceOf(FetchRefused);
    expect(e2.message).toMatch(/refused to fetch from demo-api\.sluice\.svc\.cluster\.local: demo-api is listed in SLUICE_FETCH_DENY_HOSTS/);
    expect(hits).toBe(2);
  });

  it('follows redirects up to the limit, relative ones too', async () => {
    const o = await origin((req, res) => {
      const n = Number(req.url?.slice(1));
      if (n > 0) res.writeHead(307, { location: `/${n - 1}` }).end();
      else res.end('arrived');
    });
    expect((await get(`${o.url}/3`, { ...settings, maxRedirects: 3 })).toString()).toBe('arrived');
    const e = await failure(get(`${o.url}/3`, { ...settings, maxRedirects: 2 }));
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: true });
    expect(e.message).toMatch(/more than 2 redirects/);
  });

  it('refuses schemes other than http(s) and s3', async () => {
    expect(await failure(get('file:///etc/passwd'))).toMatchObject({ type: 'FetchFailed', permanent: true });
  });
});

/** A listener whose process never accepts; once its backlog is full, further SYNs are dropped. */
async function blackHole(): Promise<{ port: number; fillers: net.Socket[]; child: ChildProcess }> {
  const port = await freePort();
  const code = `require('net').createServer().listen({ port: ${port}, host: '127.0.0.1', backlog: 1 }, () => { console.log('up'); const end = Date.now() + 60000; while (Date.now() < end); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    fillers.push(s);
  }
  await sleep(200);
  return { port, fillers, child };
}

describe('timeouts', () => {
  it('gives up connecting after the connect timeout (transient)', async () => {
    const hole = await blackHole();
    cleanups.push(() => {
      hole.fillers.forEach((s) => s.destroy());
      hole.child.kill('SIGKILL');
    });
    const t = Date.now();
    const e = await failure(get(`http://127.0.0.1:${hole.port}/x.pdf`, { ...settings, connectTimeoutMs: 300 }));
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: false });
    expect(e.message).toMatch(/timed out after 0\.3s \(connecting/);
    expect(Date.now() - t).toBeLessThan(3000);
  });

  it('gives up on a body that trickles past the total timeout (transient)', async () => {
    const o = await origin((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const t = Date.now();
    const e = await failure(get(`${o.url}/slow.pdf`, { ...settings, timeoutMs: 500 }));
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: false });
    expect(e.message).toMatch(/timed out after 0\.5s \(in total/);
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it('gives up on a server that never answers (transient)', async () => {
    const o = await origin(() => undefined);
    const e = await failure(get(`${o.url}/silent.pdf`, { ...settings, timeoutMs: 400 }));
    expect(e).toMatchObject({ type: 'FetchFailed', permanent: false });
  });

  it('reports a reset in the middle of the body as transient', async () => {
    const o = await origin((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    expect(await failure(get(`${o.url}/cut.pdf`))).toMatchObject({ type: 'FetchFailed', permanent: false });
  });

  it("rejects with the caller's reason when the caller aborts", async () => {
    const o = await origin(() => undefined);
    const ac = new AbortController();
    const p = fetchDocument(`${o.url}/x.pdf`, settings, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('worker shutting down')), 100);
    await expect(p).rejects.toThrow('worker shutting down');
  });
});
