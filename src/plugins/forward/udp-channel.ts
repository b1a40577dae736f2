/**
 * DNS over UDP to one upstream through a few long-lived sockets, many queries in flight per
 * socket, told apart by a random 16-bit ID (RFC 5452 §9.2). A datagram is accepted only from
 * the upstream's address (the socket is connected) and only when its ID is pending and its
 * question matches the query; anything else is ignored and the query keeps waiting.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { randomId } from './random-ids.js';
import { replyMatches } from './reply-match.js';
import { UpstreamError } from './upstream-error.js';
import type { UpstreamAddress } from './upstream-address.js';

interface Pending {
  readonly sent: Buffer;
  readonly questionEnd: number;
  readonly resolve: (reply: Buffer) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** IDs in flight per socket before another socket is opened: keeps guessing hard. */
const MAX_PENDING_PER_SOCKET = 4096;
const MAX_SOCKETS = 8;

class UdpSocket {
  readonly pending = new Map<number, Pending>();
  private readonly socket: dgram.Socket;
  private readonly ready: Promise<void>;

  constructor(
    private readonly address: UpstreamAddress,
    private readonly random: () => number,
  ) {
    this.socket = dgram.createSocket(net.isIPv6(address.host) ? 'udp6' : 'udp4');
    this.socket.on('message', (msg) => this.onMessage(msg));
    this.socket.on('error', (err) => this.failAll(err));
    this.ready = new Promise((resolve) => this.socket.connect(address.port, address.host, resolve));
    this.socket.unref();
  }

  async exchange(wire: Buffer, questionEnd: number, timeoutMs: number): Promise<Buffer> {
    const id = this.freeId();
    const sent = Buffer.from(wire);
    sent.writeUInt16BE(id, 0);
    const reply = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new UpstreamError('timeout', this.address.label));
      }, timeoutMs);
      this.pending.set(id, { sent, questionEnd, resolve, reject, timer });
    });
    await this.ready;
    try {
      this.socket.send(sent, (err) => {
        if (err) this.settle(id, new UpstreamError('network', this.address.label, { cause: err }));
      });
    } catch (err) {
      // The socket was closed while this query waited for it (a reload replaced the chain).
      this.settle(id, new UpstreamError('closed', this.address.label, { cause: err }));
    }
    return reply;
  }

  close(): void {
    this.failAll(new UpstreamError('closed', this.address.label));
    this.socket.close();
  }

  private freeId(): number {
    for (;;) {
      const id = Math.floor(this.random() * 65536) & 0xffff;
      if (!this.pending.has(id)) return id;
    }
  }

  private onMessage(msg: Buffer): void {
    if (msg.length < 12) return;
    const id = msg.readUInt16BE(0);
    const entry = this.pending.get(id);
    if (!entry || !replyMatches(msg, entry.sent, entry.questionEnd)) return;
    this.settle(id, msg);
  }

  private settle(id: number, outcome: Buffer | Error): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (outcome instanceof Error) entry.reject(outcome);
    else entry.resolve(outcome);
  }

  /** A socket error (e.g. ICMP port unreachable on a connected socket) fails every query. */
  private failAll(cause: Error): void {
    for (const id of [...this.pending.keys()]) {
      this.settle(id, new UpstreamError('network', this.address.label, { cause }));
    }
  }
}

/** The UDP transport to one upstream. */
export class UdpChannel {
  private readonly sockets: UdpSocket[] = [];
  private closed = false;

  constructor(
    private readonly address: UpstreamAddress,
    private readonly random: () => number = randomId,
  ) {}

  /**
   * Sends `wire` (its ID is replaced) and resolves with the matching reply, or rejects with
   * UpstreamError after `timeoutMs` or on a network error.
   */
  exchange(wire: Buffer, questionEnd: number, timeoutMs: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new UpstreamError('closed', this.address.label));
    return this.pick().exchange(wire, questionEnd, timeoutMs);
  }

  close(): void {
    this.closed = true;
    for (const socket of this.sockets.splice(0)) socket.close();
  }

  private pick(): UdpSocket {
    let best: UdpSocket | undefined;
    for (const socket of this.sockets) {
      if (!best || socket.pending.size < best.pending.size) best = socket;
    }
    const full = this.sockets.length >= MAX_SOCKETS;
    if (best && (best.pending.size < MAX_PENDING_PER_SOCKET || full)) return best;
    const socket = new UdpSocket(this.address, this.random);
    this.sockets.push(socket);
    return socket;
  }
}
