/**
 * One TCP or TLS connection to an upstream carrying length-prefixed DNS messages (RFC 1035
 * §4.2.2), with queries pipelined: several in flight at once, each under its own random ID,
 * answered in any order (RFC 7766 §6.2.1.1). A reply whose ID is not pending or whose question
 * differs is ignored.
 *
 * A query that times out retires the connection: no new queries go to it, and it closes once
 * the others have settled, since a server that stopped answering one may have stopped for all.
 * An idle connection closes itself after `expireMs` (the forward `expire` option).
 */
import type net from 'node:net';
import { randomId } from './random-ids.js';
import { replyMatches } from './reply-match.js';
import { UpstreamError } from './upstream-error.js';

interface Waiter {
  readonly sent: Buffer;
  readonly questionEnd: number;
  readonly resolve: (reply: Buffer) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class StreamConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, Waiter>();
  closed = false;
  retired = false;

  constructor(
    readonly socket: net.Socket,
    private readonly label: string,
    private readonly expireMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new UpstreamError('network', label, { cause: err })));
    socket.on('close', () => this.fail(new UpstreamError('closed', label)));
    socket.on('timeout', () => {
      if (this.pending.size === 0) this.destroy();
    });
    this.idle();
  }

  /** Queries in flight. */
  get load(): number {
    return this.pending.size;
  }

  /** Sends `wire` under a fresh ID; resolves with the matching reply. */
  request(wire: Buffer, questionEnd: number, timeoutMs: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new UpstreamError('closed', this.label));
    const id = this.freeId();
    const frame = Buffer.allocUnsafe(wire.length + 2);
    frame.writeUInt16BE(wire.length, 0);
    wire.copy(frame, 2);
    frame.writeUInt16BE(id, 2);
    const sent = frame.subarray(2);
    if (this.pending.size === 0) this.busy();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.retired = true;
        this.settle(id, new UpstreamError('timeout', this.label));
      }, timeoutMs);
      this.pending.set(id, { sent, questionEnd, resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private freeId(): number {
    for (;;) {
      const id = Math.floor(randomId() * 65536);
      if (!this.pending.has(id)) return id;
    }
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 2) {
      const length = this.buffered.readUInt16BE(0);
      if (this.buffered.length < length + 2) return;
      const message = Buffer.from(this.buffered.subarray(2, length + 2));
      this.buffered = this.buffered.subarray(length + 2);
      this.onMessage(message);
    }
  }

  private onMessage(message: Buffer): void {
    if (message.length < 12) return;
    const id = message.readUInt16BE(0);
    const waiter = this.pending.get(id);
    if (!waiter || !replyMatches(message, waiter.sent, waiter.questionEnd)) return;
    this.settle(id, message);
  }

  private settle(id: number, outcome: Buffer | Error): void {
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    clearTimeout(waiter.timer);
    if (outcome instanceof Error) waiter.reject(outcome);
    else waiter.resolve(outcome);
    if (this.pending.size > 0) return;
    if (this.retired) this.destroy();
    else this.idle();
  }

  private fail(err: Error): void {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, err);
  }

  /** In use: keeps the process alive and never expires. */
  private busy(): void {
    this.socket.ref();
    this.socket.setTimeout(0);
  }

  /** Idle: must not keep the process alive, and closes after `expire`. */
  private idle(): void {
    this.socket.unref();
    this.socket.setTimeout(this.expireMs);
  }
}
