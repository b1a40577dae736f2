/**
 * Ports for servers that cannot bind port 0 themselves (dnsmasq, knotd): a port the kernel
 * just handed out for both UDP and TCP on 127.0.0.1, released for the caller to take.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    const ok = await new Promise<boolean>((resolve) => {
      const tcp = net.createServer();
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => tcp.close(() => resolve(true)));
    });
    udp.close();
    if (ok) return port;
  }
  throw new Error('no free port for UDP and TCP');
}
