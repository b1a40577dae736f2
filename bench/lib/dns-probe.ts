/**
 * Waits until a DNS server answers on a loopback UDP port: the readiness check used before
 * each measured run, the same for every server.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

/** Resolves once any response to `name A` arrives from 127.0.0.1:port; rejects at `timeoutMs`. */
export async function waitForAnswer(port: number, name: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const query = dnsPacket.encode({
    type: 'query',
    id: 4242,
    questions: [{ type: 'A', class: 'IN', name }],
  });
  while (Date.now() < deadline) {
    if (await answersOnce(port, query, 200)) return;
  }
  throw new Error(`no DNS answer on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function answersOnce(port: number, query: Buffer, waitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), waitMs);
    socket.once('message', () => done(true));
    socket.once('error', () => setTimeout(() => done(false), 50));
    socket.send(query, port, '127.0.0.1');
  });
}
