/**
 * DNS over TCP (RFC 7766) or TLS (RFC 7858) to one upstream, with idle connections kept for
 * reuse until `expire` has passed. One query at a time per connection: any server handles
 * that, and the pool opens more connections under load.
 */
import net from 'node:net';
import tls from 'node:tls';
import { randomId } from './random-ids.js';
import { replyMatches } from './reply-match.js';
import { UpstreamError } from './upstream-error.js';
import type { UpstreamAddress } from './upstream-address.js';

interface Idle {
  readonly conn: StreamConnection;
  readonly since: number;
}

/** One TCP or TLS connection carrying length-prefixed DNS messages. */
class StreamConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: ((outcome: Buffer | Error) => void) | null = null;
  closed = false;

  constructor(
    readonly socket: net.Socket,
    private readonly label: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new UpstreamError('network', label, { cause: err })));
    socket.on('close', () => this.fail(new UpstreamError('closed', label)));
  }

  /** Sends one framed message and resolves with the next framed message received. */
  request(wire: Buffer): Promise<Buffer> {
    if (this.closed) return Promise.reject(new UpstreamError('closed', this.label));
    const frame = Buffer.allocUnsafe(wire.length + 2);
    frame.writeUInt16BE(wire.length, 0);
    wire.copy(frame, 2);
    return new Promise((resolve, reject) => {
      this.waiting = (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
      this.socket.write(frame);
    });
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    if (this.buffered.length < 2) return;
    const length = this.buffered.readUInt16BE(0);
    if (this.buffered.length < length + 2) return;
    const message = Buffer.from(this.buffered.subarray(2, length + 2));
    this.buffered = this.buffered.subarray(length + 2);
    const waiter = this.waiting;
    this.waiting = null;
    waiter?.(message);
  }

  private fail(err: Error): void {
    this.closed = true;
    const waiter = this.waiting;
    this.waiting = null;
    waiter?.(err);
  }
}

export interface StreamOptions {
  /** TLS options when the upstream is `tls://`; null for plain TCP. */
  readonly tls: tls.ConnectionOptions | null;
  readonly expireMs: number;
  readonly now?: () => number;
}

/** The TCP or TLS transport to one upstream. */
export class StreamPool {
  private idle: Idle[] = [];
  private readonly now: () => number;
  /** Counters for the connection-cache metrics. */
  hits = 0;
  misses = 0;

  constructor(
    private readonly address: UpstreamAddress,
    private readonly options: StreamOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Sends `wire` (its ID is replaced) and resolves with the matching reply. A reused
   * connection that turns out closed is retried once on a fresh one.
   */
  async exchange(wire: Buffer, questionEnd: number, timeoutMs: number): Promise<Buffer> {
    const deadline = this.now() + timeoutMs;
    const reused = this.takeIdle();
    if (reused) {
      try {
        return await this.attempt(reused, wire, questionEnd, timeoutMs);
      } catch (err) {
        if (!(err instanceof UpstreamError) || err.failure === 'timeout') throw err;
      }
    }
    const fresh = await this.connect(Math.max(1, deadline - this.now()));
    return this.attempt(fresh, wire, questionEnd, Math.max(1, deadline - this.now()));
  }

  close(): void {
    for (const { conn } of this.idle.splice(0)) conn.destroy();
  }

  private async attempt(
    conn: StreamConnection,
    wire: Buffer,
    questionEnd: number,
    timeoutMs: number,
  ): Promise<Buffer> {
    const sent = Buffer.from(wire);
    sent.writeUInt16BE(Math.floor(randomId() * 65536), 0);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UpstreamError('timeout', this.address.label)), timeoutMs);
    });
    try {
      const reply = await Promise.race([conn.request(sent), timeout]);
      const sameId = reply.readUInt16BE(0) === sent.readUInt16BE(0);
      if (!sameId || !replyMatches(reply, sent, questionEnd)) {
        throw new UpstreamError('network', this.address.label);
      }
      // An idle connection must not keep the process alive.
      conn.socket.unref();
      this.idle.push({ conn, since: this.now() });
      return reply;
    } catch (err) {
      conn.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private takeIdle(): StreamConnection | undefined {
    const now = this.now();
    while (this.idle.length > 0) {
      const { conn, since } = this.idle.pop() as Idle;
      if (!conn.closed && now - since < this.options.expireMs) {
        conn.socket.ref();
        this.hits++;
        return conn;
      }
      conn.destroy();
    }
    this.misses++;
    return undefined;
  }

  private connect(timeoutMs: number): Promise<StreamConnection> {
    const { host, port, label } = this.address;
    return new Promise((resolve, reject) => {
      const socket = this.options.tls
        ? tls.connect({ ...this.options.tls, host, port })
        : net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new UpstreamError('timeout', label));
      }, timeoutMs);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(new UpstreamError('network', label, { cause: err }));
      };
      socket.once('error', onError);
      socket.once(this.options.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.setNoDelay(true);
        resolve(new StreamConnection(socket, label));
      });
    });
  }
}
