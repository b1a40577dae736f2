/**
 * DNS over TCP (RFC 7766) or TLS (RFC 7858) to one upstream: a few long-lived connections,
 * each carrying up to MAX_PIPELINE queries at once (see stream-connection.ts). A new
 * connection is opened only when every open one is full; concurrent queries wait for a
 * connection being opened rather than each opening their own.
 */
import net from 'node:net';
import tls from 'node:tls';
import { StreamConnection } from './stream-connection.js';
import { UpstreamError } from './upstream-error.js';
import type { UpstreamAddress } from './upstream-address.js';

/** Queries in flight per connection; our own server accepts 100 per connection by default. */
export const MAX_PIPELINE = 32;

export interface StreamOptions {
  /** TLS options when the upstream is `tls://`; null for plain TCP. */
  readonly tls: tls.ConnectionOptions | null;
  readonly expireMs: number;
  readonly now?: () => number;
}

/** The TCP or TLS transport to one upstream. */
export class StreamPool {
  private connections: StreamConnection[] = [];
  private opening: Promise<StreamConnection> | null = null;
  private closed = false;
  private readonly now: () => number;
  /** Queries that found an open connection, and those that had to open one. */
  hits = 0;
  misses = 0;

  constructor(
    private readonly address: UpstreamAddress,
    private readonly options: StreamOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Sends `wire` (its ID is replaced) and resolves with the matching reply. A query on an
   * already open connection that closes under it is retried once on a new connection.
   */
  async exchange(wire: Buffer, questionEnd: number, timeoutMs: number): Promise<Buffer> {
    if (this.closed) throw new UpstreamError('closed', this.address.label);
    const deadline = this.now() + timeoutMs;
    const open = this.pick();
    if (open) {
      this.hits++;
      try {
        return await open.request(wire, questionEnd, timeoutMs);
      } catch (err) {
        if (!(err instanceof UpstreamError) || err.failure === 'timeout') throw err;
      }
    }
    this.misses++;
    return this.viaNewConnection(wire, questionEnd, deadline);
  }

  close(): void {
    this.closed = true;
    for (const conn of this.connections.splice(0)) conn.destroy();
  }

  /** The least loaded usable connection with room, or undefined. */
  private pick(): StreamConnection | undefined {
    this.connections = this.connections.filter((c) => !c.closed);
    let best: StreamConnection | undefined;
    for (const conn of this.connections) {
      if (conn.retired || conn.load >= MAX_PIPELINE) continue;
      if (!best || conn.load < best.load) best = conn;
    }
    return best;
  }

  /**
   * Sends on the connection another query is opening, if it has room once open, else on a new
   * one. The room check and `request` (which takes the slot) run with no await between them,
   * so a burst of queries fills connections in turn instead of piling onto the first.
   */
  private async viaNewConnection(
    wire: Buffer,
    questionEnd: number,
    deadline: number,
  ): Promise<Buffer> {
    const left = (): number => Math.max(1, deadline - this.now());
    while (this.opening) {
      await this.opening.catch(() => undefined);
      const open = this.pick();
      if (open) return open.request(wire, questionEnd, left());
    }
    const opening = this.connect(left());
    this.opening = opening;
    try {
      const conn = await opening;
      this.connections.push(conn);
      return conn.request(wire, questionEnd, left());
    } finally {
      if (this.opening === opening) this.opening = null;
    }
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
        if (this.closed) {
          socket.destroy();
          reject(new UpstreamError('closed', label));
          return;
        }
        resolve(new StreamConnection(socket, label, this.options.expireMs));
      });
    });
  }
}
