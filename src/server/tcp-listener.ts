/**
 * A DNS listener on one TCP socket (RFC 7766): many queries per connection, an idle timeout,
 * a read timeout for a message that stops halfway, a cap on open connections (the oldest idle
 * one is closed first) and a cap on queries in flight per connection.
 */
import cluster from 'node:cluster';
import net from 'node:net';
import type { QueryDispatcher } from './query-dispatcher.js';
import { TcpConnection } from './tcp-connection.js';

export interface TcpLimits {
  /** Close a connection with nothing pending after this long without traffic. */
  readonly idleTimeoutMs: number;
  /** Close a connection whose current message stays incomplete this long. */
  readonly readTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxInFlightPerConnection: number;
}

/** Defaults: 10 s idle, 2 s to finish a message, 1000 connections, 100 queries in flight. */
export const DEFAULT_TCP_LIMITS: TcpLimits = {
  idleTimeoutMs: 10_000,
  readTimeoutMs: 2_000,
  maxConnections: 1000,
  maxInFlightPerConnection: 100,
};

export class TcpListener {
  /** Open connections, least recently active first (re-inserted on every message). */
  private readonly connections = new Set<TcpConnection>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly server: net.Server,
    private readonly dispatcher: QueryDispatcher,
    private readonly limits: TcpLimits,
    private readonly now: () => number = Date.now,
  ) {
    server.on('connection', this.onConnection);
    const every = Math.max(20, Math.min(limits.idleTimeoutMs, limits.readTimeoutMs) / 4);
    this.sweeper = setInterval(() => this.sweep(), every).unref();
  }

  /**
   * Listens on host:port; rejects with the system error (EADDRINUSE, EACCES...). A `serve
   * --workers` worker listens through the cluster primary, which accepts and deals out the
   * connections; a lone process listens exclusively.
   */
  static listen(host: string, port: number): Promise<net.Server> {
    const server = net.createServer({ pauseOnConnect: false });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: host === '' ? '::' : host, port, exclusive: !cluster.isWorker }, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** Stops accepting and closes every connection. */
  close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const connection of this.connections) connection.close();
    this.connections.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private readonly onConnection = (socket: net.Socket): void => {
    if (this.connections.size >= this.limits.maxConnections && !this.closeOldestIdle()) {
      socket.destroy();
      return;
    }
    const connection = new TcpConnection(
      socket,
      this.dispatcher,
      this.limits.maxInFlightPerConnection,
      this.now,
      this.touch,
    );
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
  };

  /** Keeps the set ordered by activity so the oldest idle connection is found first. */
  private readonly touch = (connection: TcpConnection): void => {
    this.connections.delete(connection);
    this.connections.add(connection);
  };

  private closeOldestIdle(): boolean {
    for (const connection of this.connections) {
      if (!connection.idle) continue;
      this.connections.delete(connection);
      connection.close();
      return true;
    }
    return false;
  }

  private sweep(): void {
    const now = this.now();
    for (const connection of this.connections) {
      const stuck =
        connection.partialSince > 0 && now - connection.partialSince > this.limits.readTimeoutMs;
      const quiet = now - connection.lastActivity > this.limits.idleTimeoutMs;
      const idle = connection.idle && quiet;
      // A client that stops reading its answers is neither idle nor mid-message, but would hold
      // its slot forever: it gets the idle timeout too.
      const stalled = connection.writeStalled && quiet;
      if (!stuck && !idle && !stalled) continue;
      this.connections.delete(connection);
      connection.close(idle);
    }
  }
}
