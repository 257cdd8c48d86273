// A TCP relay from one address to another. `npm start` runs the example object store on loopback,
// which pods cannot reach; relayed from the node IP (which pods reach directly), the same server
// answers them. S3 signatures cover the Host header, which passes through a relay untouched.
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpRelay {
  stop(): Promise<void>;
}

export function relayTcp(from: { host: string; port: number }, to: { host: string; port: number }): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = createConnection(to);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // Either side failing ends both; the client sees its connection reset, as without a relay.
      s.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(from.port, from.host, () => {
      server.off('error', reject);
      resolve({
        stop: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
