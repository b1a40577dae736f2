/**
 * Finds a loopback port free for both UDP and TCP, for servers (dnsmasq, knotd) that cannot
 * bind port 0 and report the port they got.
 */
import dgram from 'node:dgram';
import net from 'node:net';

/** Resolves with a port that was free on 127.0.0.1 for UDP and TCP a moment ago. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await bindUdp(0);
    if (await tcpFree(port)) return port;
  }
  throw new Error('no free loopback port found for UDP and TCP');
}

function bindUdp(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      const bound = socket.address().port;
      socket.close(() => resolve(bound));
    });
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
