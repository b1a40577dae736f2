/**
 * A raw TCP peer for the abuse tests: connects, writes whatever it is told (framed queries,
 * single bytes), collects framed replies and notes when the server closed the connection.
 */
import net from 'node:net';
import { readFramedReplies } from '../server/raw-dns.js';

export class TcpPeer {
  readonly replies: Buffer[] = [];
  /** ms since epoch when the server closed the connection; 0 while open. */
  closedAt = 0;

  private constructor(readonly socket: net.Socket) {
    readFramedReplies(socket, (reply) => this.replies.push(reply));
    socket.on('close', () => {
      this.closedAt ||= Date.now();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TcpPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new TcpPeer(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closedAt !== 0;
  }

  write(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /** Resolves once `count` replies came or the connection closed, or after `timeoutMs`. */
  async waitReplies(count: number, timeoutMs: number): Promise<Buffer[]> {
    await until(() => this.replies.length >= count || this.closed, timeoutMs);
    return this.replies;
  }

  /** Resolves with the close time once the server closed, or 0 after `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<number> {
    await until(() => this.closed, timeoutMs);
    return this.closedAt;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}
