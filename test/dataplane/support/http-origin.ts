// A local http server for fetch tests: a handler per test, and every socket closed on close().
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Origin {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startOrigin(handler: http.RequestListener): Promise<Origin> {
  const sockets = new Set<Socket>();
  const server = http.createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
