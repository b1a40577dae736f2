/**
 * A DNS listener on one node:dgram UDP socket. Each datagram is one query; replies go back to
 * the sender. The message handler is bound once, so the per-packet path creates no closures.
 * Used with `--udp-io dgram`, by `serve --workers` workers on port 0 (which share the
 * primary's socket), and where the batch socket (batch-udp-listener.ts) cannot be loaded.
 */
import cluster from 'node:cluster';
import dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { Reply } from '../chain/handler.js';
import type { QueryDispatcher } from './query-dispatcher.js';
import { REHEARSAL_CLIENT_PORT, type RehearsalPlan } from './rehearsal.js';
import type { UdpListener } from './udp-listener.js';

export class DgramUdpListener implements UdpListener {
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly dispatcher: QueryDispatcher,
    private readonly logger: Logger,
  ) {
    socket.on('message', this.onMessage);
    // Send errors (an unreachable client, a full buffer) lose one reply, never the socket.
    socket.on('error', this.onError);
  }

  /**
   * Binds a UDP socket; rejects with the system error (EADDRINUSE, EACCES...). A `serve
   * --workers` worker binds through the cluster primary, which shares one socket among all
   * workers; a lone process binds exclusively.
   */
  static async bind(
    host: string,
    port: number,
    dispatcher: QueryDispatcher,
    logger: Logger,
  ): Promise<DgramUdpListener> {
    return new DgramUdpListener(await bindSocket(host, port), dispatcher, logger);
  }

  get port(): number {
    return this.socket.address().port;
  }

  get address(): string {
    return this.socket.address().address;
  }

  /**
   * Runs the message handler on the plan's queries as from 127.0.0.1. The caller marks the
   * dispatcher as rehearsing, which keeps the handler from sending.
   */
  rehearse(plan: RehearsalPlan): number {
    const { queries, deadline, maxQueries } = plan;
    let answered = 0;
    while (answered < maxQueries && process.hrtime.bigint() < deadline) {
      const wire = queries[answered % queries.length];
      const port = REHEARSAL_CLIENT_PORT + (answered & 3);
      this.onMessage(wire, { address: '127.0.0.1', family: 'IPv4', port, size: wire.length });
      answered++;
    }
    return answered;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private readonly onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    const reply = this.dispatcher.answer(msg, 'udp', rinfo.address, rinfo.port);
    if (reply === null) return;
    if (reply instanceof Promise) {
      if (!this.dispatcher.rehearsing) {
        reply.then((late) => this.send(late, rinfo.port, rinfo.address));
      }
      return;
    }
    if (!this.dispatcher.rehearsing) this.socket.send(reply, rinfo.port, rinfo.address);
  };

  private send(reply: Reply, port: number, address: string): void {
    if (reply === null || this.closed) return;
    this.socket.send(reply, port, address);
  }

  private readonly onError = (err: Error): void => {
    this.logger.debug({ err: err.message }, 'udp send failed');
  };
}

function bindSocket(host: string, port: number): Promise<dgram.Socket> {
  const type = host.includes(':') || host === '' ? 'udp6' : 'udp4';
  const socket = dgram.createSocket({ type, reuseAddr: false, lookup: literalLookup });
  return new Promise((resolve, reject) => {
    const failed = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', failed);
    const address = host === '' ? '::' : host;
    socket.bind({ address, port, exclusive: !cluster.isWorker }, () => {
      socket.off('error', failed);
      resolve(socket);
    });
  });
}

/**
 * The socket's address lookup. Every address it is given is an IP literal (the bind address is
 * validated as one, and replies go to the address a datagram came from), so it is returned as
 * is: without this, each reply goes through `dns.lookup` and a deferred tick, which cost about a
 * fifth of the CPU per query in the benchmark's profile (docs/performance.md).
 */
const literalLookup = ((
  address: string,
  family: number,
  callback: (err: Error | null, address: string, family: number) => void,
): void => {
  callback(null, address, family);
}) as unknown as dgram.SocketOptions['lookup'];
