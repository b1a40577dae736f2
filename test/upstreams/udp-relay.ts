/**
 * A UDP relay on loopback that passes queries to a target port set later and the replies
 * back: lets a test build a forwarding loop (A forwards to the relay, the relay to A) even
 * though A's port is known only after it started.
 */
import dgram from 'node:dgram';

export class UdpRelay {
  target: number | null = null;
  relayed = 0;
  private closed = false;

  private constructor(
    private readonly front: dgram.Socket,
    readonly port: number,
  ) {
    front.on('message', (msg, client) => this.relay(msg, client));
  }

  static async start(): Promise<UdpRelay> {
    const front = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
    return new UdpRelay(front, front.address().port);
  }

  close(): void {
    this.closed = true;
    this.front.close();
  }

  private relay(msg: Buffer, client: dgram.RemoteInfo): void {
    if (this.target === null || this.closed) return;
    this.relayed++;
    const back = dgram.createSocket('udp4');
    const timer = setTimeout(() => back.close(), 5000);
    back.on('message', (reply) => {
      clearTimeout(timer);
      if (!this.closed) this.front.send(reply, client.port, client.address);
      back.close();
    });
    back.send(msg, this.target, '127.0.0.1');
  }
}
