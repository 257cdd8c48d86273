// A local HTTP server that job tests fetch documents from: each path serves a body (or a status),
// and can be changed while a test runs (a source fixed, a document made slow).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  status?: number;
  body?: Buffer;
  /** Milliseconds before answering. */
  delayMs?: number;
}

export interface PdfServer {
  base: string;
  files: Map<string, Served>;
  /** Requests per path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startPdfServer(): Promise<PdfServer> {
  const files = new Map<string, Served>();
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const f = files.get(path);
    const answer = () => {
      if (!f) return void res.writeHead(404).end('not found');
      res.writeHead(f.status ?? 200, { 'content-type': 'application/pdf' }).end(f.body ?? '');
    };
    if (f?.delayMs) setTimeout(answer, f.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    files,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
