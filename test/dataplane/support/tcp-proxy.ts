// A TCP proxy the test controls, to make a server (PostgreSQL) vanish and come back without
// touching the machine's own server: cut() drops every connection and stops listening.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** From now on, accept connections and never answer (a black-holed server). */
  blackhole(): void;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let silent = false;
  const make = () =>
    net.createServer((client) => {
      if (silent) {
        sockets.add(client);
        client.on('error', () => sockets.delete(client));
        return;
      }
      const upstream = net.connect(targetPort, targetHost);
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
  let server = make();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      server.close(() => resolve());
    });
  return {
    port,
    blackhole() {
      silent = true;
    },
    cut: stop,
    async restore() {
      server = make();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: stop,
  };
}
